/**
 * Secrets never leave the machine (CONTRACT section 7): every file of the codebase context is
 * checked before anything is sent, and a finding stops the run unless the user allows it.
 *
 * Why secretlint's recommended preset: it is a maintained rule set, with tests and false-positive
 * guards, for the keys that leak in practice: AWS, GCP service accounts, Slack, GitHub, npm,
 * OpenAI, Anthropic (`sk-ant-api03-…`), SendGrid, Shopify, Linear, 1Password, private key blocks,
 * basic auth and database connection strings with passwords. repomix uses the same preset. On top:
 * - AWS access key IDs (`AKIA…`): the preset has the rule but leaves it off by default; it is on
 *   here (account IDs, which are not secrets, stay off);
 * - Anthropic admin keys and OAuth tokens (`sk-ant-admin01-…`, `sk-ant-oat01-…`), which the
 *   preset's Anthropic rule (API keys only) does not cover;
 * - the literal value of this environment's `ANTHROPIC_API_KEY`, whatever its shape.
 * `secretlint-disable-line` / `secretlint-disable-next-line` comments in a file are honoured.
 *
 * Never copied anywhere: the secret. secretlint's messages quote it, so a finding's `kind` is
 * built from the rule and message ids only (and messages are masked at the source as well).
 *
 * Speed (see `mayMatch`): most files of a codebase cannot match any rule of the preset, because
 * every rule needs a literal marker (`PRIVATE KEY`, `ghp_`, `://user:pass@`…). Those files are
 * not handed to secretlint. The markers are checked against the exact preset version and rule
 * set they were read from; any other version disables the shortcut.
 */
import { createRequire } from 'node:module';
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { globToRegExp } from '../shared/glob.js';
import { HarnessError } from '../shared/errors.js';
import { comparePaths } from './scan.js';

export interface SecretFinding {
  /** Repo-relative path. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** secretlint rule id, or `harness/…` for the harness's own checks. */
  ruleId: string;
  /** Human name of what was found, e.g. `AWS access key ID`; never the secret. */
  kind: string;
}

export interface FindSecretsOptions {
  /** Config `secrets.allow`: `path` (a glob), `path:line`, or a rule id. */
  allow: readonly string[];
  /** Where `ANTHROPIC_API_KEY` is read from. */
  env: NodeJS.ProcessEnv;
}

export const ENV_KEY_RULE = 'harness/environment-anthropic-api-key';
export const ANTHROPIC_EXTRA_RULE = 'harness/anthropic-admin-or-oauth-key';
const PRESET_ID = recommendedPreset.meta.id;
const AWS_RULE = '@secretlint/secretlint-rule-aws';

// The preset runs in one process for the life of the harness. secretlint's profiler records
// every mark it is given and, for each one, searches all earlier ones: quadratic in the number
// of files linted (minutes for 50,000 files) and memory that is never released. Nothing reads
// the profile, so its `mark` is made a no-op (on the profiler instance only, not on
// `performance`). A test checks that @secretlint/core uses this same instance.
secretLintProfiler.mark = () => undefined;

type LintConfig = Parameters<typeof lintSource>[0]['options']['config'];

const CONFIG: LintConfig = {
  rules: [
    {
      id: PRESET_ID,
      rule: recommendedPreset,
      rules: [{ id: AWS_RULE, options: { enableIDScanRule: true }, allowMessageIds: ['AWSAccountID'] }],
    },
  ],
};

/** Human names, by rule id and then message id (rule and message ids are fixed strings of the rules). */
const KINDS: Record<string, { default: string; messages?: Record<string, string> }> = {
  [AWS_RULE]: {
    default: 'AWS credential',
    messages: { AWSAccessKeyID: 'AWS access key ID', AWSSecretAccessKey: 'AWS secret access key' },
  },
  '@secretlint/secretlint-rule-gcp': { default: 'GCP service account private key' },
  '@secretlint/secretlint-rule-privatekey': { default: 'private key' },
  '@secretlint/secretlint-rule-npm': {
    default: 'npm token',
    messages: {
      PackageJSON_xOauthToken: 'GitHub token in a package URL',
      Npmrc_authToken: 'npm auth token',
      NPM_ACCESS_TOKEN: 'npm access token',
    },
  },
  '@secretlint/secretlint-rule-basicauth': { default: 'password in a URL (basic auth)' },
  '@secretlint/secretlint-rule-slack': {
    default: 'Slack token',
    messages: { SLACK_TOKEN: 'Slack token', IncomingWebhook: 'Slack incoming webhook URL' },
  },
  '@secretlint/secretlint-rule-sendgrid': { default: 'SendGrid API key' },
  '@secretlint/secretlint-rule-shopify': { default: 'Shopify API key' },
  '@secretlint/secretlint-rule-github': { default: 'GitHub token' },
  '@secretlint/secretlint-rule-openai': { default: 'OpenAI API key' },
  '@secretlint/secretlint-rule-anthropic': { default: 'Anthropic API key' },
  '@secretlint/secretlint-rule-linear': { default: 'Linear API key' },
  '@secretlint/secretlint-rule-1password': { default: '1Password service account token' },
  '@secretlint/secretlint-rule-database-connection-string': {
    default: 'database connection string with a password',
    messages: {
      MongoDBConnection: 'MongoDB connection string with a password',
      MySQLConnection: 'MySQL connection string with a password',
      PostgreSQLConnection: 'PostgreSQL connection string with a password',
    },
  },
  [ANTHROPIC_EXTRA_RULE]: { default: 'Anthropic admin key or OAuth token' },
  [ENV_KEY_RULE]: { default: "this environment's ANTHROPIC_API_KEY" },
};

function kindOf(ruleId: string, messageId: string | undefined): string {
  const entry = KINDS[ruleId];
  if (!entry) return `secret (${ruleId.replace(/^@secretlint\/secretlint-rule-/, '')} rule)`;
  return (messageId !== undefined ? entry.messages?.[messageId] : undefined) ?? entry.default;
}

/**
 * The preset version and rule set the markers in `MARKERS` were read from. For every rule, each
 * report it can make requires the content to match one of the markers: `file(source)` runs the
 * regexps listed here on `source.content`, and reports only inside their matches.
 *   aws           (?:SECRET|secret|Secret)_?(?:ACCESS|…)_?(?:KEY|…)…  and, with enableIDScanRule,
 *                 (A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}  (AccountID: allowed off)
 *   gcp           `.p12`: reads the file; `.json`: JSON.parse (escapes!) → such files always go to secretlint
 *   privatekey    -----BEGIN …PRIVATE KEY…
 *   npm           :x-oauth-basic@  |  _authToken=  |  npm_[A-Za-z0-9_]{36}
 *   basicauth     (https?|ftps?)://USER:PASS@  with USER ⊂ [-\w], PASS ⊂ [-\w]
 *   slack         (xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-  |  https://hooks.slack.com/services/ (i)
 *   sendgrid      SG\.      shopify  (shppa|shpca|shpat|shpss)_      github  (ghp|gho|ghu|ghs|ghr)_ | github_pat_
 *   openai        …T3BlbkFJ…       anthropic  sk-ant-api0\d-      linear  lin_api_      1password  ops_ey
 *   database      (mongodb(+srv)?|(jdbc:)?mysqlx?|postgres(ql)?)://USER:PASS@ (i), reported only with
 *                 USER ⊂ [^:/\s] and PASS ⊂ [^@/\s]
 *   filter-comments  only suppresses reports
 */
const VERIFIED_PRESET = {
  version: '11.7.1',
  rules: [
    '@secretlint/secretlint-rule-1password',
    '@secretlint/secretlint-rule-anthropic',
    '@secretlint/secretlint-rule-aws',
    '@secretlint/secretlint-rule-basicauth',
    '@secretlint/secretlint-rule-database-connection-string',
    '@secretlint/secretlint-rule-filter-comments',
    '@secretlint/secretlint-rule-gcp',
    '@secretlint/secretlint-rule-github',
    '@secretlint/secretlint-rule-linear',
    '@secretlint/secretlint-rule-npm',
    '@secretlint/secretlint-rule-openai',
    '@secretlint/secretlint-rule-privatekey',
    '@secretlint/secretlint-rule-sendgrid',
    '@secretlint/secretlint-rule-shopify',
    '@secretlint/secretlint-rule-slack',
  ],
};

/** A superset of what the rules above need; each alternative is a rule's regexp with the parts that only narrow it left out. */
const MARKERS =
  /PRIVATE KEY|(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)|(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}|:x-oauth-basic@|_authToken=|npm_[A-Za-z0-9_]{36}|(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-|SG\.|(?:shppa|shpca|shpat|shpss)_|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}|github_pat_|T3BlbkFJ|sk-ant-api0\d-|lin_api_|ops_ey|:\/\/[^:/\s]+:[^@/\s]+@/;
/** The one marker matched without regard to case (the Slack webhook rule has the `i` flag). */
const MARKERS_ANY_CASE = /hooks\.slack\.com/i;

const presetRuleIds = (): string[] => recommendedPreset.rules.map((r) => r.meta.id).sort();

const presetVersion = (): string | undefined => {
  try {
    return (createRequire(import.meta.url)('@secretlint/secretlint-rule-preset-recommend/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
};

/** True when the preset in node_modules is the one the markers were verified against. */
export const SHORTCUT_ENABLED =
  presetVersion() === VERIFIED_PRESET.version &&
  JSON.stringify(presetRuleIds()) === JSON.stringify(VERIFIED_PRESET.rules);

/** False only when no rule of the preset can report anything in this file. */
export function mayMatch(path: string, content: string): boolean {
  if (!SHORTCUT_ENABLED) return true;
  const ext = extOf(path).toLowerCase();
  if (ext === '.json' || ext === '.p12') return true;
  return MARKERS.test(content) || MARKERS_ANY_CASE.test(content);
}

/** Anthropic admin keys and OAuth access/refresh tokens (the preset covers `sk-ant-api0N-` keys). */
const ANTHROPIC_EXTRA = /(?<![A-Za-z0-9_-])sk-ant-(?:admin|oat|ort)\d{2}-[A-Za-z0-9_-]{40,}/g;

const LINT_CONCURRENCY = 16;

export async function findSecrets(
  files: readonly { path: string; content: string }[],
  options: FindSecretsOptions,
): Promise<SecretFinding[]> {
  const envKey = (options.env.ANTHROPIC_API_KEY ?? '').trim();
  const findings: SecretFinding[] = [];

  const candidates: { path: string; content: string }[] = [];
  for (const file of files) {
    if (envKey.length >= 16) {
      for (let i = file.content.indexOf(envKey); i !== -1; i = file.content.indexOf(envKey, i + envKey.length)) {
        findings.push({ path: file.path, ...position(file.content, i), ruleId: ENV_KEY_RULE, kind: kindOf(ENV_KEY_RULE, undefined) });
      }
    }
    if (file.content.includes('sk-ant-')) {
      for (const m of file.content.matchAll(ANTHROPIC_EXTRA)) {
        findings.push({ path: file.path, ...position(file.content, m.index), ruleId: ANTHROPIC_EXTRA_RULE, kind: kindOf(ANTHROPIC_EXTRA_RULE, undefined) });
      }
    }
    if (mayMatch(file.path, file.content)) candidates.push(file);
  }

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      const file = candidates[next++]!;
      const result = await lintSource({
        source: { content: file.content, filePath: file.path, ext: extOf(file.path), contentType: 'text' },
        options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
      });
      for (const m of result.messages) {
        findings.push({
          path: file.path,
          line: m.loc.start.line,
          column: m.loc.start.column + 1,
          ruleId: m.ruleId,
          kind: kindOf(m.ruleId, m.messageId),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINT_CONCURRENCY, candidates.length) }, worker));

  const allow = compileAllow(options.allow);
  return findings
    .filter((f) => !allow(f))
    .sort((a, b) => comparePaths(a.path, b.path) || a.line - b.line || a.column - b.column || comparePaths(a.ruleId, b.ruleId));
}

const MAX_LISTED = 20;

export function secretsError(findings: readonly SecretFinding[]): HarnessError {
  const first = findings[0];
  const n = findings.length;
  const files = new Set(findings.map((f) => f.path)).size;
  const lines = findings.slice(0, MAX_LISTED).map((f) => `  ${f.path}:${f.line}: ${f.kind}`);
  if (n > MAX_LISTED) lines.push(`  … and ${n - MAX_LISTED} more`);
  const message =
    `${n === 1 ? 'a possible secret' : `${n} possible secrets`} in ${files === 1 ? 'a file' : `${files} files`} of the codebase context; ` +
    `stopped before sending anything:\n${lines.join('\n')}`;
  const example = first ?? { path: 'path/to/file', line: 1, ruleId: '@secretlint/secretlint-rule-…' };
  const hint =
    `if a file should not be sent, exclude it: add it to \`exclude\` in harness.config or to .harnessignore; ` +
    `if a finding is not a secret, allow it in \`secrets.allow\` by path ('${example.path}'), ` +
    `by line ('${example.path}:${example.line}') or by rule ('${example.ruleId}'), or mark the line with a ` +
    `\`secretlint-disable-line\` comment. ` +
    `A real secret in the repo should be removed and rotated.`;
  return new HarnessError('SECRET_FOUND', message, first ? { hint, file: first.path, line: first.line } : { hint });
}

// ---------------------------------------------------------------------------------------------
// secrets.allow

/**
 * Each entry allows the findings it names:
 * - a rule id (`@secretlint/secretlint-rule-basicauth`, `harness/…`): that rule everywhere;
 * - `path:line`: the findings on that line (path as below);
 * - a path glob (`*`, `**`, `?`, `[…]`, `{a,b}`; dot files match): the findings in files it
 *   matches, or in files under a directory it matches (`test/fixtures`). A glob without `/`
 *   also matches the file name in any directory (`*.snap`), as in .gitignore.
 */
export function compileAllow(entries: readonly string[]): (f: SecretFinding) => boolean {
  const rules = new Set<string>();
  const lineRules: { match: (p: string) => boolean; line: number }[] = [];
  const pathRules: ((p: string) => boolean)[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    rules.add(entry);
    const m = /^(.+):(\d+)$/.exec(entry);
    if (m) lineRules.push({ match: pathMatcher(m[1]!), line: Number(m[2]) });
    else pathRules.push(pathMatcher(entry));
  }
  return (f) =>
    rules.has(f.ruleId) || lineRules.some((r) => r.line === f.line && r.match(f.path)) || pathRules.some((r) => r(f.path));
}

function pathMatcher(glob: string): (p: string) => boolean {
  const g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  const re = globToRegExp(g);
  const baseOnly = !g.includes('/');
  return (p) => {
    const segments = p.split('/');
    for (let i = segments.length; i >= 1; i--) {
      // the path itself, then each directory above it
      if (re.test(segments.slice(0, i).join('/'))) return true;
      if (baseOnly && re.test(segments[i - 1]!)) return true;
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------

/** 1-based line and column of `index`; lines end at \n, \r\n or \r (as secretlint counts them). */
function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

function extOf(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

