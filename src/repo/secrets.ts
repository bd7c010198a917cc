/**
 * Secrets never leave the machine: every text the harness sends is checked before anything is
 * sent (the files of the codebase context, task-list.md, a spec, a `refine` message and the file
 * it rewrites, custom prompt templates), and a finding stops the command unless the user allows it.
 *
 * Why secretlint's recommended preset: it is a maintained rule set, with tests and false-positive
 * guards, for the keys that leak in practice: AWS, GCP service accounts, Slack, GitHub, npm,
 * OpenAI, Anthropic (`sk-ant-api03-…`), SendGrid, Shopify, Linear, 1Password, private key blocks,
 * basic auth and database connection strings with passwords. repomix uses the same preset. On top:
 * - AWS access key IDs (`AKIA…`): the preset has the rule but leaves it off by default; it is on
 *   here (account IDs, which are not secrets, stay off);
 * - the harness's own pattern rules (data in secret-rules.ts, matched in secret-patterns.ts):
 *   Anthropic admin keys and OAuth tokens (`sk-ant-admin01-…`, `sk-ant-oat01-…`), Stripe live keys
 *   (`sk_live_…`, `rk_live_…`), signed JWTs, and passwords assigned a literal value
 *   (`password = "…"`, `DB_PASSWORD: …` in config);
 * - the literal value of this environment's `ANTHROPIC_API_KEY`, whatever its shape.
 * `secretlint-disable-line` / `secretlint-disable-next-line` comments are honoured (except for the
 * environment's own key); config `secrets.allow` is applied last (secret-allow.ts). The full list,
 * with what is not detected, is docs/secrets.md.
 *
 * Never copied anywhere: the secret. secretlint's messages quote it, so a finding's `kind` is
 * built from the rule and message ids only (and messages are masked at the source as well).
 *
 * Speed (preset-shortcut.ts): most files of a codebase cannot match any rule of the preset, because
 * every rule needs a literal marker (`PRIVATE KEY`, `ghp_`, `://user:pass@`…). Those files are
 * not handed to secretlint. The markers are checked against the exact preset version and rule
 * set they were read from; any other version disables the shortcut.
 */
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import { HarnessError } from '../shared/errors.js';
import { comparePaths } from './scan.js';
import { compileAllow } from './secret-allow.js';
import { SCREEN_LINT, SCREEN_OWN, type Screen } from './secret-screen.js';
import { disabledAt, ownMayMatch, patternFindings } from './secret-patterns.js';
import { extOf, lintedWithoutMarker, mayMatch, PRESET_VERSION } from './preset-shortcut.js';
import { ENV_KEY_RULE, KINDS, PRESET_RULE_OPTIONS, RULES_VERSION } from './secret-rules.js';

export interface SecretFinding {
  /** Repo-relative path, or what the text is (`--message`, a spec file's name as given). */
  path: string;
  /** 1-based. */
  line: number;
  /** True for a one-off text (a `--message`) whose lines are not worth naming: shown as `path: kind`. */
  unlocated?: boolean;
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

const PRESET_ID = recommendedPreset.meta.id;

// The preset runs in one process for the life of the harness. secretlint's profiler records
// every mark it is given and, for each one, searches all earlier ones: quadratic in the number
// of files linted (minutes for 50,000 files) and memory that is never released. Nothing reads
// the profile, so its `mark` is made a no-op (on the profiler instance only, not on
// `performance`).
// Upstream behaviour this relies on, checked with @secretlint/core and @secretlint/profiler 11.7.1
// (both pinned exactly in package.json; test/canary/secretlint-profiler.test.ts fails when it
// changes): @secretlint/core imports the `secretLintProfiler` singleton of the one
// @secretlint/profiler in node_modules (core depends on that exact version) and marks through its
// `mark` method, a plain prototype method that an own property overrides; the profiler's
// PerformanceObserver only sees what `mark` hands to `performance.mark`.
secretLintProfiler.mark = () => undefined;

type LintConfig = Parameters<typeof lintSource>[0]['options']['config'];

const CONFIG: LintConfig = {
  rules: [
    {
      id: PRESET_ID,
      rule: recommendedPreset,
      rules: PRESET_RULE_OPTIONS,
    },
  ],
};

function kindOf(ruleId: string, messageId: string | undefined): string {
  const entry = KINDS[ruleId];
  if (!entry) return `secret (${ruleId.replace(/^@secretlint\/secretlint-rule-/, '')} rule)`;
  return (messageId !== undefined ? entry.messages?.[messageId] : undefined) ?? entry.default;
}

const LINT_CONCURRENCY = 16;

/** A text that is about to leave the machine, by what it is called in messages. */
export interface SecretText {
  /** Repo-relative path, or a label (`--message`, `spec.md`). */
  path: string;
  content: string;
  /** Report findings as `path: kind` (no line): for one-off texts such as a `--message`. */
  unlocated?: boolean;
}

/** Identifies the rules in force: changes when the harness's rules or the preset change. */
export const RULESET_ID = `${RULES_VERSION}+secretlint-preset@${PRESET_VERSION ?? 'unknown'}`;

export async function findSecrets(files: readonly SecretText[], options: FindSecretsOptions): Promise<SecretFinding[]> {
  return findSecretsScreened(files, options, null);
}

/** The `ANTHROPIC_API_KEY` that is looked for literally (a shorter value is not looked for), or ''. */
export const envKeyOf = (env: NodeJS.ProcessEnv): string => {
  const key = (env.ANTHROPIC_API_KEY ?? '').trim();
  return key.length >= 16 ? key : '';
};

/**
 * `findSecrets`, where `screen` says which markers each file may hold (secret-screen.ts decides
 * it for all files in one pass; null: no screen, every check runs): without SCREEN_OWN it holds no
 * marker of the harness's own rules nor the environment's key, and those checks are skipped;
 * without SCREEN_LINT it holds no marker of the preset's rules, and it goes to secretlint only when
 * it goes there without a marker (a `.p12`, a `.json` with a `\\u` escape). With SCREEN_OWN, the
 * own checks look at the whole file only when its own lines may give a finding (secret-patterns.ts
 * `ownMayMatch`): its text is not read otherwise (a scanned file decodes it then: framed-text.ts).
 * Same findings as `findSecrets` when the screen is right (it may say too much, never too little).
 */
export async function findSecretsScreened(
  files: readonly SecretText[],
  options: FindSecretsOptions,
  screen: Screen | null,
): Promise<SecretFinding[]> {
  const envKey = envKeyOf(options.env);
  const findings: SecretFinding[] = [];
  const candidates: SecretText[] = [];
  for (let index = 0; index < files.length; index++) {
    const file = files[index]!;
    const bits = screen === null ? SCREEN_OWN | SCREEN_LINT : screen.bits(index);
    if ((bits & SCREEN_OWN) !== 0 && ownMayMatch(file.path, screen === null ? null : screen.ownLines(index), envKey)) {
      findings.push(...ownFindings(file, envKey));
    }
    // Without a screen the preset's markers are looked for here; with one, its bit says they may be there.
    const lint =
      screen === null
        ? mayMatch(file.path, file.content)
        : (bits & SCREEN_LINT) !== 0 || lintedWithoutMarker(file, (ascii) => screen.holds(index, ascii));
    if (lint) candidates.push(file);
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
          ...(file.unlocated ? { unlocated: true } : {}),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LINT_CONCURRENCY, candidates.length) }, worker));

  const allow = compileAllow(options.allow);
  return findings.filter((f) => !allow(f)).sort(compareFindings);
}

/** The findings of the harness's own rules and of the environment's key in one text (disable comments applied). */
function ownFindings(file: SecretText, envKey: string): SecretFinding[] {
  const at = (index: number, ruleId: string, messageId?: string): SecretFinding => ({
    path: file.path,
    ...position(file.content, index),
    ruleId,
    kind: kindOf(ruleId, messageId),
    ...(file.unlocated ? { unlocated: true } : {}),
  });
  const out: SecretFinding[] = [];
  if (envKey !== '') {
    for (let i = file.content.indexOf(envKey); i !== -1; i = file.content.indexOf(envKey, i + envKey.length)) out.push(at(i, ENV_KEY_RULE));
  }
  for (const { index, ruleId, messageId } of patternFindings(file)) {
    if (!disabledAt(file.content, index)) out.push(at(index, ruleId, messageId));
  }
  return out;
}

/** The order findings are reported in: by path, line, column, rule. */
export function compareFindings(a: SecretFinding, b: SecretFinding): number {
  return comparePaths(a.path, b.path) || a.line - b.line || a.column - b.column || comparePaths(a.ruleId, b.ruleId);
}

/**
 * Checks texts that are about to be sent; throws SECRET_FOUND (exit 2) naming where, never what.
 * `source` says what they are in the message (`task-list.md`, `the refine request`…).
 */
export async function assertNoSecrets(texts: readonly SecretText[], options: FindSecretsOptions & { source: string }): Promise<void> {
  const findings = await findSecrets(texts, options);
  if (findings.length > 0) throw secretsError(findings, { source: options.source });
}

const MAX_LISTED = 20;

const where = (f: Pick<SecretFinding, 'path' | 'line' | 'unlocated'>): string => (f.unlocated ? f.path : `${f.path}:${f.line}`);

/**
 * SECRET_FOUND (exit 2), listing `path:line: kind` (`--message: kind` for a one-off text), never
 * the secret. `source` names what was checked: the codebase context (default), task-list.md…
 */
export function secretsError(findings: readonly SecretFinding[], options: { source?: string } = {}): HarnessError {
  const first = findings[0];
  const n = findings.length;
  const files = new Set(findings.map((f) => f.path)).size;
  const lines = findings.slice(0, MAX_LISTED).map((f) => `  ${where(f)}: ${f.kind}`);
  if (n > MAX_LISTED) lines.push(`  … and ${n - MAX_LISTED} more`);
  const found = n === 1 ? 'a possible secret' : `${n} possible secrets`;
  const inWhat = options.source === undefined ? `in ${files === 1 ? 'a file' : `${files} files`} of the codebase context` : `in ${options.source}`;
  const message = `${found} ${inWhat}; stopped before sending anything:\n${lines.join('\n')}`;
  const example = first ?? { path: 'path/to/file', line: 1, ruleId: '@secretlint/secretlint-rule-…', unlocated: false };
  const allowBy = example.unlocated
    ? `by rule ('${example.ruleId}')`
    : `by path ('${example.path}'), by line ('${example.path}:${example.line}') or by rule ('${example.ruleId}')`;
  const hint =
    options.source === undefined
      ? `if a file should not be sent, exclude it: add it to \`exclude\` in harness.config or to .harnessignore; ` +
        `if a finding is not a secret, allow it in \`secrets.allow\` ${allowBy}, or mark the line with a ` +
        `\`secretlint-disable-line\` comment. ` +
        `A real secret in the repo should be removed and rotated.`
      : `take the secret out of ${options.source} (refer to it by name instead, e.g. an environment variable); ` +
        `if a finding is not a secret, allow it in \`secrets.allow\` ${allowBy}` +
        `${example.unlocated ? '' : ', or mark the line with a `secretlint-disable-line` comment'}. ` +
        `A real secret that was shared should be rotated.`;
  const located = first ? { file: first.path, ...(first.unlocated ? {} : { line: first.line }) } : {};
  return new HarnessError('SECRET_FOUND', message, { hint, ...located });
}

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
