/**
 * The data of the secret check: rule ids, human names, the markers of the secretlint preset, and
 * the patterns and allow-list defaults of the harness's own detectors. The logic that applies them
 * is in secrets.ts (the preset and its shortcut) and secret-patterns.ts (the harness's own rules);
 * docs/secrets.md lists what is and is not detected.
 */

const PRESET_AWS_RULE = '@secretlint/secretlint-rule-aws';

/** How the harness configures rules of the preset: the AWS access key ID check is on, account IDs (not secrets) stay off. */
export const PRESET_RULE_OPTIONS: { id: string; options: Record<string, unknown>; allowMessageIds: string[] }[] = [
  { id: PRESET_AWS_RULE, options: { enableIDScanRule: true }, allowMessageIds: ['AWSAccountID'] },
];

/** The harness's own rules (outside secretlint). */
export const ENV_KEY_RULE = 'harness/environment-anthropic-api-key';
export const ANTHROPIC_EXTRA_RULE = 'harness/anthropic-admin-or-oauth-key';
export const STRIPE_RULE = 'harness/stripe-live-key';
export const JWT_RULE = 'harness/jwt';
export const PASSWORD_RULE = 'harness/password-assignment';

/** Human names, by rule id and then message id (rule and message ids are fixed strings of the rules). */
export const KINDS: Record<string, { default: string; messages?: Record<string, string> }> = {
  [PRESET_AWS_RULE]: {
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
  [STRIPE_RULE]: { default: 'Stripe live key', messages: { sk: 'Stripe live secret key', rk: 'Stripe live restricted key' } },
  [JWT_RULE]: { default: 'JSON Web Token (JWT)' },
  [PASSWORD_RULE]: { default: 'password assigned a literal value' },
};

/**
 * The preset version and rule set the markers in `MARKERS` were read from. For every rule, each
 * report it can make requires the content to match one of the markers: `file(source)` runs the
 * regexps listed here on `source.content`, and reports only inside their matches.
 *   aws           (?:SECRET|secret|Secret)_?(?:ACCESS|…)_?(?:KEY|…)…  and, with enableIDScanRule,
 *                 (A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}  (AccountID: allowed off)
 *   gcp           `.p12`: reads the file → always goes to secretlint; `.json`: JSON.parse, reports when the
 *                 object has `private_key_id` and its `private_key` reads `-----BEGIN … PRIVATE KEY`:
 *                 the parsed text holds `PRIVATE KEY`, so the source holds it literally or hides one of
 *                 its characters in a `\u` escape (no other JSON escape gives a letter or a space) → a
 *                 `.json` file goes to secretlint when it holds `\u`, parses, and has both keys with
 *                 `PRIVATE KEY` in the value (or holds any marker): preset-shortcut.ts
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
export const VERIFIED_PRESET = {
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

/** A superset of what the preset's rules need; each alternative is a rule's regexp with the parts that only narrow it left out. */
export const MARKERS =
  /PRIVATE KEY|(?:SECRET|secret|Secret)_?(?:ACCESS|access|Access)_?(?:KEY|key|Key)|(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}|:x-oauth-basic@|_authToken=|npm_[A-Za-z0-9_]{36}|(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-|SG\.|(?:shppa|shpca|shpat|shpss)_|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}|github_pat_|T3BlbkFJ|sk-ant-api0\d-|lin_api_|ops_ey|:\/\/[^:/\s]+:[^@/\s]+@/;
/** The one marker matched without regard to case (the Slack webhook rule has the `i` flag). */
export const MARKERS_ANY_CASE = /hooks\.slack\.com/i;
/** Extensions the shortcut always hands to secretlint: the gcp rule reads `.p12` files whatever they hold. */
export const ALWAYS_LINTED_EXTENSIONS: readonly string[] = ['.p12'];
/** The extension the gcp rule parses as JSON: a `\u` escape in such a file may hide a marker's character. */
export const JSON_EXTENSION = '.json';

// ---------------------------------------------------------------------------------------------
// The harness's own pattern rules. Each has a cheap `marker` test that must pass before its
// pattern runs, and a pattern with the `g` flag whose match starts at the reported position.

/** Anthropic admin keys and OAuth access/refresh tokens (the preset covers `sk-ant-api0N-` keys). */
export const ANTHROPIC_EXTRA = { marker: 'sk-ant-', pattern: /(?<![A-Za-z0-9_-])sk-ant-(?:admin|oat|ort)\d{2}-[A-Za-z0-9_-]{40,}/g };

/**
 * Stripe live secret keys (`sk_live_…`) and restricted keys (`rk_live_…`): 24 characters after
 * the prefix in older keys, 99 in newer ones. Test-mode keys (`sk_test_`) and publishable keys
 * (`pk_live_`, meant to be public) are not reported. Group 1 names the kind (`sk` / `rk`).
 */
export const STRIPE = { marker: '_live_', pattern: /(?<![A-Za-z0-9_])(sk|rk)_live_[A-Za-z0-9]{20,}(?![A-Za-z0-9])/g };

/**
 * A signed JSON Web Token: base64url header `eyJ…` (`{"`), payload `eyJ…`, signature. Reported
 * only when the header decodes to a JSON object with an `alg` field (so random `eyJ` text is not).
 * Unsigned tokens (`alg: none`, empty signature) are not reported.
 */
export const JWT = {
  marker: 'eyJ',
  pattern: /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{8,})\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}(?![A-Za-z0-9_-])/g,
};

/**
 * A password written into a file: a key ending in `password`, `passwd` or `passphrase` (any case,
 * any prefix: `dbPassword`, `DB_PASSWORD`, `"password"`, `config.admin.password`), then `=`, `:=` or
 * `:`, then a value. Groups: 1 the key's quote, 2 the value's quote, 3 a quoted value, 4 an
 * unquoted value. A quoted value counts in every file; an unquoted one only in the files of
 * `UNQUOTED_PASSWORD_FILES` (in code, `password = process.env.X` or `password: string` is no literal).
 * Not matched: `==`/`===` comparisons, `=>` arrows, `password?: string`, `password_file: …`.
 */
export const PASSWORD = {
  marker: /pass(?:word|wd|phrase)/i,
  pattern:
    /(?<![\w$])(["'`]?)[\w$.-]*?(?:password|passwd|passphrase)\1[ \t]*(?::=|=(?![=>~])|:(?![:=]))[ \t]*(?:(["'`])((?:\\.|(?!\2)[^\\\r\n])*)\2|([^\s"'`,;#)}\]]+))/gi,
};

/** Files in which `password: value` / `password=value` without quotes is a literal (config and shell). */
export const UNQUOTED_PASSWORD_FILES =
  /(?:\.(?:ya?ml|ini|cfg|conf|properties|toml|env|sh|bash|zsh|ksh)|(?:^|\/)(?:\.env[^/]*|Dockerfile[^/]*|[^/]*\.env))$/i;

/** Shortest password value reported (shorter ones are placeholders far more often than secrets). */
export const MIN_PASSWORD_LENGTH = 6;

/**
 * Password values that are not secrets (allow-list defaults): a value containing any of these
 * (any case) is a placeholder, a label or a reference (`${DB_PASSWORD}`, `{{ password }}`, `<pw>`,
 * `%(pw)s`, `changeme`, `your-password`, `********`).
 */
export const PASSWORD_PLACEHOLDER_PARTS: readonly string[] = [
  'passw',
  'passphrase',
  'changeme',
  'change-me',
  'change_me',
  'example',
  'placeholder',
  'your',
  'dummy',
  'sample',
  'redacted',
  'replace',
  'todo',
  'fixme',
  'xxx',
  '***',
  '...',
  '${',
  '{{',
  '<',
  '>',
  '%(',
];

/** Whole password values that are types, keywords or empty markers, not secrets (any case). */
export const PASSWORD_PLACEHOLDER_VALUES: readonly string[] = [
  'string',
  'str',
  'number',
  'boolean',
  'bool',
  'null',
  'nil',
  'none',
  'undefined',
  'true',
  'false',
  'required',
  'optional',
  'secret',
  'hidden',
  'masked',
];

/** Password values that start like a reference, not a literal: `$VAR`, `%VAR%`, YAML tags, anchors and aliases, `@Value`. */
export const PASSWORD_REFERENCE_START = /^[$%!&*@]/;

/** Comments that turn the check off for one line, as secretlint's (they are honoured for the harness's rules too). */
export const DISABLE_LINE = 'secretlint-disable-line';
export const DISABLE_NEXT_LINE = 'secretlint-disable-next-line';

/**
 * Changes whenever what the harness's own rules detect changes, so that a codebase snapshot taken
 * with older rules is checked again (the preset's version is added to it in secrets.ts).
 */
export const RULES_VERSION = 'harness-rules-2';
