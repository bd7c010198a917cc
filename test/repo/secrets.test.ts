/**
 * findSecrets / secretsError. Every fake secret here is assembled at run time from pieces, so
 * this repo never holds a literal one (and secret scanners run on it stay quiet).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { lintSource } from '@secretlint/core';
import { creator as preset } from '@secretlint/secretlint-rule-preset-recommend';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileAllow } from '../../src/repo/secret-allow.js';
import { isPasswordLiteral } from '../../src/repo/secret-patterns.js';
import { ANTHROPIC_EXTRA_RULE, ENV_KEY_RULE, JWT_RULE, PASSWORD_RULE, STRIPE_RULE } from '../../src/repo/secret-rules.js';
import { mayMatch, SHORTCUT_ENABLED } from '../../src/repo/preset-shortcut.js';
import { assertNoSecrets, findSecrets, secretsError, type SecretFinding } from '../../src/repo/secrets.js';
import { HarnessError } from '../../src/shared/errors.js';

/** Deterministic pseudo-random characters from `alphabet` (so fakes look real, not like `xxxx`). */
function chars(seed: string, n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  let block = 0;
  while (out.length < n) {
    const bytes = createHash('sha256').update(`${seed}:${block++}`).digest();
    for (const b of bytes) if (out.length < n) out += alphabet[b % alphabet.length];
  }
  return out;
}
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const fake = {
  awsKeyId: () => ['AK', 'IA', chars('aws-id', 16, UPPER)].join(''),
  awsSecret: () => chars('aws-secret', 40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'),
  anthropic: () => ['sk', '-ant-', 'api03-', chars('anthropic', 93, B64URL), 'AA'].join(''),
  anthropicAdmin: () => ['sk', '-ant-', 'admin01-', chars('admin', 86, B64URL), 'AA'].join(''),
  github: () => ['gh', 'p_', chars('github', 36)].join(''),
  slack: () => ['xo', 'xb-', '2451', '98765432-', '5512', '876543210-', chars('slack', 24)].join(''),
  privateKeyBody: () => ['MII', 'EpAIBAAKCAQEA', chars('pem', 1200, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')].join(''),
  npm: () => ['np', 'm_', chars('npm', 36)].join(''),
  openai: () => ['sk', '-', chars('oa1', 20), 'T3Blbk', 'FJ', chars('oa2', 20)].join(''),
  sendgrid: () => ['S', 'G.', chars('sg1', 22), '.', chars('sg2', 43)].join(''),
  shopify: () => ['shp', 'at_', chars('shopify', 32, '0123456789abcdef')].join(''),
  linear: () => ['lin', '_api_', chars('linear', 40)].join(''),
  stripe: () => ['sk', '_live_', chars('stripe', 24)].join(''),
  stripeNew: () => ['sk', '_live_', '51', chars('stripe-new', 97)].join(''),
  stripeRestricted: () => ['rk', '_live_', chars('stripe-rk', 24)].join(''),
  jwt: () =>
    [
      Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify({ sub: '1234567890', name: 'Service', iat: 1516239022 })).toString('base64url'),
      chars('jwt-sig', 43, B64URL),
    ].join('.'),
  password: () => ['Tr0ub4dor', '&3-', chars('pw-literal', 6)].join(''),
};

const pemBlock = (label = 'RSA PRIVATE KEY') => {
  const body = fake
    .privateKeyBody()
    .match(/.{1,64}/g)!
    .join('\n');
  return ['-----BEGIN ', label, '-----\n', body, '\n-----END ', label, '-----\n'].join('');
};

/** One file per kind of secret, each with the rule that must report it and the secret itself. */
const CASES: { name: string; path: string; content: string; secret: string; ruleId: string; kind: RegExp; at?: string }[] = [
  {
    name: 'AWS access key ID',
    path: 'src/aws.ts',
    content: `export const region = 'eu-west-1';\nexport const accessKeyId = '${fake.awsKeyId()}';\n`,
    secret: fake.awsKeyId(),
    ruleId: '@secretlint/secretlint-rule-aws',
    kind: /AWS access key ID/,
  },
  {
    name: 'AWS secret access key',
    path: 'deploy/aws.yml',
    content: `region: eu\naws_secret_access_key: "${fake.awsSecret()}"\n`,
    secret: fake.awsSecret(),
    ruleId: '@secretlint/secretlint-rule-aws',
    kind: /AWS secret access key/,
  },
  {
    name: 'Anthropic API key',
    path: 'src/client.ts',
    content: `import Anthropic from '@anthropic-ai/sdk';\n\nconst client = new Anthropic({ apiKey: '${fake.anthropic()}' });\n`,
    secret: fake.anthropic(),
    ruleId: '@secretlint/secretlint-rule-anthropic',
    kind: /Anthropic API key/,
  },
  {
    name: 'Anthropic admin key',
    path: 'ops/admin.ts',
    content: `const adminKey = "${fake.anthropicAdmin()}";\n`,
    secret: fake.anthropicAdmin(),
    ruleId: ANTHROPIC_EXTRA_RULE,
    kind: /Anthropic admin key/,
  },
  {
    name: 'private key block',
    path: 'docs/setup.md',
    content: `# Setup\n\nPaste this:\n\n${pemBlock()}`,
    secret: fake.privateKeyBody().slice(0, 40),
    at: '-----BEGIN',
    ruleId: '@secretlint/secretlint-rule-privatekey',
    kind: /private key/,
  },
  {
    name: 'GitHub token',
    path: 'scripts/release.sh',
    content: `#!/bin/sh\nexport GITHUB_TOKEN=${fake.github()}\n`,
    secret: fake.github(),
    ruleId: '@secretlint/secretlint-rule-github',
    kind: /GitHub token/,
  },
  {
    name: 'Slack token',
    path: 'src/notify.py',
    content: `import os\nSLACK = "${fake.slack()}"\n`,
    secret: fake.slack(),
    ruleId: '@secretlint/secretlint-rule-slack',
    kind: /Slack token/,
  },
  {
    name: 'Slack webhook (case-insensitive rule)',
    path: 'src/hook.ts',
    content: `const url = 'HTTPS://HOOKS.SLACK.COM/services/T${chars('t', 8, UPPER)}/B${chars('b', 8, UPPER)}/${chars('w', 24)}';\n`,
    secret: chars('w', 24),
    ruleId: '@secretlint/secretlint-rule-slack',
    kind: /Slack incoming webhook/,
  },
  {
    name: 'npm token',
    path: 'ci/publish.sh',
    content: `npm config set //registry.npmjs.org/:_authToken ${fake.npm()}\n`,
    secret: fake.npm(),
    ruleId: '@secretlint/secretlint-rule-npm',
    kind: /npm access token/,
  },
  {
    name: 'OpenAI key',
    path: 'src/openai.ts',
    content: `const key = "${fake.openai()}";\n`,
    secret: fake.openai(),
    ruleId: '@secretlint/secretlint-rule-openai',
    kind: /OpenAI/,
  },
  {
    name: 'SendGrid key',
    path: 'src/mail.ts',
    content: `const key = "${fake.sendgrid()}";\n`,
    secret: fake.sendgrid(),
    ruleId: '@secretlint/secretlint-rule-sendgrid',
    kind: /SendGrid/,
  },
  {
    name: 'Shopify key',
    path: 'src/shop.ts',
    content: `const token = "${fake.shopify()}";\n`,
    secret: fake.shopify(),
    ruleId: '@secretlint/secretlint-rule-shopify',
    kind: /Shopify/,
  },
  {
    name: 'Linear key',
    path: 'src/linear.ts',
    content: `const token = "${fake.linear()}";\n`,
    secret: fake.linear(),
    ruleId: '@secretlint/secretlint-rule-linear',
    kind: /Linear/,
  },
  {
    name: 'basic auth in a URL',
    path: 'src/fetch.ts',
    content: `fetch('https://deploy-bot:${chars('pw', 14)}@ci.internal-host.io/api');\n`,
    secret: chars('pw', 14),
    ruleId: '@secretlint/secretlint-rule-basicauth',
    kind: /password in a URL/,
  },
  {
    name: 'database URL with a password',
    path: 'src/db.ts',
    content: `const url = "postgres://app_user:${chars('db', 16)}@db.prod.internal:5432/app";\n`,
    secret: chars('db', 16),
    ruleId: '@secretlint/secretlint-rule-database-connection-string',
    kind: /PostgreSQL connection string/,
  },
  {
    name: 'Stripe live secret key',
    path: 'src/billing.ts',
    content: `import Stripe from 'stripe';\n\nexport const stripe = new Stripe('${fake.stripe()}');\n`,
    secret: fake.stripe(),
    ruleId: STRIPE_RULE,
    kind: /Stripe live secret key/,
  },
  {
    name: 'Stripe live secret key (new, long form)',
    path: 'config/stripe.yml',
    content: `stripe:\n  key: ${fake.stripeNew()}\n`,
    secret: fake.stripeNew(),
    ruleId: STRIPE_RULE,
    kind: /Stripe live secret key/,
  },
  {
    name: 'Stripe live restricted key',
    path: 'scripts/report.py',
    content: `import stripe\nstripe.api_key = "${fake.stripeRestricted()}"\n`,
    secret: fake.stripeRestricted(),
    ruleId: STRIPE_RULE,
    kind: /Stripe live restricted key/,
  },
  {
    name: 'JWT',
    path: 'test/fixtures/auth.ts',
    content: `export const headers = {\n  Authorization: 'Bearer ${fake.jwt()}',\n};\n`,
    secret: fake.jwt().split('.')[2]!,
    at: 'Bearer',
    ruleId: JWT_RULE,
    kind: /JSON Web Token/,
  },
  {
    name: 'password assigned a quoted literal (code)',
    path: 'src/db/connect.ts',
    content: `export const db = connect({\n  host: 'db.internal',\n  password: '${fake.password()}',\n});\n`,
    secret: fake.password(),
    ruleId: PASSWORD_RULE,
    kind: /password assigned a literal value/,
  },
  {
    name: 'password= in a shell script (unquoted)',
    path: 'deploy/run.sh',
    content: `#!/bin/sh\nexport DB_PASSWORD=${fake.password()}\n`,
    secret: fake.password(),
    ruleId: PASSWORD_RULE,
    kind: /password assigned/,
  },
  {
    name: 'password: in YAML config (unquoted)',
    path: 'config/database.yml',
    content: `production:\n  adapter: postgresql\n  password: ${fake.password()}\n`,
    secret: fake.password(),
    ruleId: PASSWORD_RULE,
    kind: /password assigned/,
  },
  {
    name: 'GCP service account key (JSON)',
    path: 'gcp/service-account.json',
    content: JSON.stringify(
      { type: 'service_account', private_key_id: chars('kid', 40, '0123456789abcdef'), private_key: pemBlock('PRIVATE KEY') },
      null,
      2,
    ),
    secret: chars('kid', 40, '0123456789abcdef'),
    ruleId: '@secretlint/secretlint-rule-gcp',
    kind: /GCP service account/,
  },
];

const env = {} as NodeJS.ProcessEnv;
const find = (files: { path: string; content: string }[], allow: string[] = [], e = env) => findSecrets(files, { allow, env: e });

describe('findSecrets: what it finds', () => {
  it.each(CASES)('finds a $name, located, named by kind, without the secret', async (c) => {
    const findings = await find([{ path: c.path, content: c.content }]);
    expect(findings.length, JSON.stringify(findings)).toBeGreaterThan(0);
    const f = findings.find((x) => x.ruleId === c.ruleId)!;
    expect(f, JSON.stringify(findings)).toBeDefined();
    expect(f.path).toBe(c.path);
    expect(f.kind).toMatch(c.kind);
    const lineOfSecret = c.content.split('\n').findIndex((l) => l.includes(c.at ?? c.secret.slice(0, 12))) + 1;
    if (c.ruleId !== '@secretlint/secretlint-rule-gcp') expect(f.line).toBe(lineOfSecret);
    expect(JSON.stringify(findings)).not.toContain(c.secret);
    const err = secretsError(findings);
    expect(`${err.message}\n${err.hint}\n${err.located}`).not.toContain(c.secret);
    // the shortcut must never hide a file any rule of the preset reports on
    if (c.ruleId.startsWith('@secretlint/')) expect(mayMatch(c.path, c.content)).toBe(true);
  });

  it('finds the literal value of ANTHROPIC_API_KEY from the environment, whatever its shape', async () => {
    const key = ['test-env-', 'key-', chars('env', 20)].join('');
    const files = [
      { path: 'a.txt', content: `first line\nsomething ${key} and again:${key}\n` },
      { path: 'b.txt', content: 'nothing here\n' },
    ];
    const findings = await find(files, [], { ANTHROPIC_API_KEY: key });
    expect(findings).toEqual([
      { path: 'a.txt', line: 2, column: 11, ruleId: ENV_KEY_RULE, kind: "this environment's ANTHROPIC_API_KEY" },
      { path: 'a.txt', line: 2, column: 11 + key.length + 11, ruleId: ENV_KEY_RULE, kind: "this environment's ANTHROPIC_API_KEY" },
    ]);
    expect(secretsError(findings).message).not.toContain(key);
    // CRLF and CR line ends count as one line end each
    const crlf = await find([{ path: 'w.txt', content: `a\r\nb\rc ${key}\n` }], [], { ANTHROPIC_API_KEY: key });
    expect(crlf.map((f) => [f.line, f.column])).toEqual([[3, 3]]);
    // a short value (a placeholder) is not looked for
    expect(await find([{ path: 'a.txt', content: 'x=changeme' }], [], { ANTHROPIC_API_KEY: 'changeme' })).toEqual([]);
  });

  it('gives no finding for clean code, placeholders, and documentation examples', async () => {
    const files = [
      { path: 'src/index.ts', content: "export const url = 'https://example.com/api';\nexport const key = process.env.API_KEY;\n" },
      { path: 'src/db.ts', content: 'const url = `postgres://${user}:${password}@localhost/db`;\n' },
      { path: 'README.md', content: 'Set `ANTHROPIC_API_KEY=sk-ant-...` and `AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE`.\n' },
      { path: 'docs/keys.md', content: '-----BEGIN RSA PRIVATE KEY-----\n...your key here...\n-----END RSA PRIVATE KEY-----\n' },
      { path: 'tz.ts', content: "export const zone = 'Asia/Tokyo';\n" },
    ];
    expect(await find(files)).toEqual([]);
  });

  it('honours secretlint-disable-line comments', async () => {
    const content = `const token = '${fake.github()}'; // secretlint-disable-line\n`;
    expect(await find([{ path: 'a.ts', content }])).toEqual([]);
  });

  it('sorts findings by path, line, column whatever the input order', async () => {
    const files = [
      { path: 'z.ts', content: `const a = '${fake.github()}';\n` },
      { path: 'a.ts', content: `\n\nconst b = '${fake.github()}';\nconst c = '${fake.awsKeyId()}';\n` },
      { path: 'a.ts-', content: `const d = '${fake.github()}';\n` },
    ];
    const forward = await find(files);
    expect(await find([...files].reverse())).toEqual(forward);
    expect(forward.map((f) => `${f.path}:${f.line}`)).toEqual(['a.ts:3', 'a.ts:4', 'a.ts-:1', 'z.ts:1']);
  });
});

describe('findSecrets: secrets.allow', () => {
  const files = [
    { path: 'test/fixtures/keys.ts', content: `export const k = '${fake.github()}';\n` },
    { path: 'src/app.ts', content: `const a = '${fake.github()}';\nconst b = '${fake.awsKeyId()}';\n` },
    { path: 'src/app.test.ts', content: `const c = '${fake.github()}';\n` },
  ];

  it('finds everything with no allow entries', async () => {
    expect((await find(files)).map((f) => `${f.path}:${f.line}`)).toEqual([
      'src/app.test.ts:1',
      'src/app.ts:1',
      'src/app.ts:2',
      'test/fixtures/keys.ts:1',
    ]);
  });

  it('allows by path glob, by directory, by file-name glob', async () => {
    expect((await find(files, ['test/**'])).map((f) => f.path)).not.toContain('test/fixtures/keys.ts');
    expect((await find(files, ['test/fixtures'])).map((f) => f.path)).not.toContain('test/fixtures/keys.ts');
    expect((await find(files, ['*.test.ts'])).map((f) => f.path)).toEqual(['src/app.ts', 'src/app.ts', 'test/fixtures/keys.ts']);
    expect((await find(files, ['src/{app,other}.ts'])).map((f) => f.path)).toEqual(['src/app.test.ts', 'test/fixtures/keys.ts']);
  });

  it('allows one line with path:line', async () => {
    expect((await find(files, ['src/app.ts:2'])).map((f) => `${f.path}:${f.line}`)).toEqual([
      'src/app.test.ts:1',
      'src/app.ts:1',
      'test/fixtures/keys.ts:1',
    ]);
  });

  it('allows a rule everywhere by its id', async () => {
    expect((await find(files, ['@secretlint/secretlint-rule-github'])).map((f) => `${f.path}:${f.line}`)).toEqual(['src/app.ts:2']);
  });

  it('matches globs like .gitignore does for a bare name, and anchored otherwise', () => {
    const f = (p: string): SecretFinding => ({ path: p, line: 1, column: 1, ruleId: 'r', kind: 'k' });
    const allow = compileAllow(['fixtures', 'src/*.ts', 'a/**/b.ts', '.env.example', 'x/[ab].md']);
    expect(allow(f('test/fixtures/deep/k.ts'))).toBe(true);
    expect(allow(f('src/a.ts'))).toBe(true);
    expect(allow(f('src/sub/a.ts'))).toBe(false);
    expect(allow(f('a/b.ts'))).toBe(true);
    expect(allow(f('a/x/y/b.ts'))).toBe(true);
    expect(allow(f('config/.env.example'))).toBe(true);
    expect(allow(f('x/a.md'))).toBe(true);
    expect(allow(f('x/c.md'))).toBe(false);
    expect(allow(f('other.ts'))).toBe(false);
  });

  it('compiles a list once, however many ranges of files the scan checks with it', () => {
    const list = ['fixtures', 'src/*.ts'];
    expect(compileAllow(list)).toBe(compileAllow(list));
    expect(compileAllow([...list])).not.toBe(compileAllow(list));
  });
});

describe('secretsError', () => {
  it('is SECRET_FOUND (exit 2), located at the first finding, listing path:line: kind', async () => {
    const findings = await find([{ path: 'src/aws.ts', content: CASES[0]!.content }]);
    const err = secretsError(findings);
    expect(err.code).toBe('SECRET_FOUND');
    expect(err.exitCode).toBe(2);
    expect(err.file).toBe('src/aws.ts');
    expect(err.line).toBe(2);
    expect(err.message).toContain('src/aws.ts:2: AWS access key ID');
    expect(err.hint).toMatch(/exclude/);
    expect(err.hint).toContain('.harnessignore');
    expect(err.hint).toContain('secrets.allow');
    expect(err.hint).toContain("'src/aws.ts:2'");
    expect(err.hint).toContain("'@secretlint/secretlint-rule-aws'");
  });

  it('caps the list and says how many more', () => {
    const findings = Array.from(
      { length: 45 },
      (_, i): SecretFinding => ({ path: `f${String(i).padStart(2, '0')}.ts`, line: 1, column: 1, ruleId: 'r', kind: 'GitHub token' }),
    );
    const err = secretsError(findings);
    expect(err.message).toContain('45 possible secrets in 45 files');
    expect(err.message).toContain('f19.ts:1: GitHub token');
    expect(err.message).not.toContain('f20.ts');
    expect(err.message).toContain('… and 25 more');
  });
});

describe('findSecrets: speed without losing findings', () => {
  it('runs the shortcut against the preset version it was verified for', () => {
    // If this fails, secretlint was upgraded: re-check MARKERS in src/repo/secrets.ts against the new rules.
    expect(SHORTCUT_ENABLED).toBe(true);
  });

  it('a file the shortcut passes over is one the preset reports nothing in (random near-misses)', async () => {
    const config = {
      rules: [
        {
          id: preset.meta.id,
          rule: preset,
          rules: [{ id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true }, allowMessageIds: ['AWSAccountID'] }],
        },
      ],
    };
    const fragments = [
      '\n',
      ' ',
      '"',
      "'",
      ':',
      '@',
      '/',
      '//',
      '://',
      '=',
      '.',
      '-',
      '_',
      'https',
      'mongodb',
      'postgres',
      'mysql',
      'user',
      'p4ssw0rd',
      'ghp',
      'gh',
      'p_',
      'npm',
      'xoxb',
      'xox',
      'SG',
      'shpat',
      'sk-',
      'sk-ant-',
      'api03',
      'T3Blbk',
      'FJ',
      'lin_',
      'api_',
      'ops_',
      'ey',
      'AKIA',
      'ASIA',
      'aws',
      'SECRET',
      'secret',
      '_ACCESS',
      'access',
      '_KEY',
      'key',
      '-----BEGIN ',
      'PRIVATE',
      ' KEY-----',
      'RSA ',
      'MIIEvQ',
      'hooks.',
      'slack.com',
      '/services/',
      '_authToken',
      'x-oauth-basic',
      chars('r1', 40),
      chars('r2', 36),
      chars('r3', 16, UPPER),
    ];
    const content = fc.array(fc.constantFrom(...fragments), { maxLength: 60 }).map((parts) => parts.join(''));
    let skippedByShortcut = 0;
    await fc.assert(
      fc.asyncProperty(content, fc.constantFrom('a.ts', 'package.json', '.npmrc', 'x.yml'), async (text, file) => {
        if (mayMatch(file, text)) return;
        skippedByShortcut++;
        const result = await lintSource({
          source: { content: text, filePath: file, ext: file.slice(file.lastIndexOf('.')), contentType: 'text' },
          options: { config, maskSecrets: true, noPhysicFilePath: true },
        });
        expect(result.messages).toEqual([]);
      }),
      { numRuns: 3000, seed: 20260817 },
    );
    expect(skippedByShortcut).toBeGreaterThan(100);
  });

  it("leaves no profiler marks behind (secretlint's profiler is the instance the harness silenced)", async () => {
    performance.clearMarks();
    await find([{ path: 'src/aws.ts', content: CASES[0]!.content }]);
    expect(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('@core>'))).toEqual([]);
  });
});

describe('findSecrets: JSON files and the gcp rule (the shortcut reads them too)', () => {
  const config = { rules: [{ id: preset.meta.id, rule: preset }] };
  const kid = chars('kid', 40, '0123456789abcdef');
  const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n'.repeat(8); // no marker of any rule

  it('finds a service-account key whose PRIVATE KEY is spelled with \\u escapes, and passes over JSON without marker or escape', async () => {
    // `\u0050RIVATE \u004bEY` parses to `PRIVATE KEY`: no marker in the source, but the gcp rule reports it.
    const hidden = `{"type": "service_account", "private_key_id": "${kid}", "private_key": "-----BEGIN \\u0050RIVATE\\u0020KEY-----\\n${body.replace(/\n/g, '\\n')}"}`;
    expect(JSON.parse(hidden).private_key).toMatch(/^-----BEGIN PRIVATE KEY/);
    expect(mayMatch('keys/sa.json', hidden)).toBe(true);
    const findings = await find([{ path: 'keys/sa.json', content: hidden }]);
    expect(findings.map((f) => f.ruleId)).toContain('@secretlint/secretlint-rule-gcp');
    // plain JSON (package.json, tsconfig, fixtures): not handed to secretlint
    expect(mayMatch('package.json', '{ "name": "x", "version": "1.0.0", "private": true }\n')).toBe(false);
  });

  it('hands a JSON file with \\u escapes to secretlint only when the gcp rule may report it', async () => {
    const escaped = (key: unknown) => JSON.stringify({ private_key_id: kid, private_key: key }).replaceAll('PRIVATE', '\\u0050RIVATE');
    // Translations, encoding tables: escapes, no key.
    expect(mayMatch('locales/fr.json', '{"hello": "bonjour \\u00e9t\\u00e9"}\n')).toBe(false);
    expect(mayMatch('tables/cp936.json', '[["8140", "\\u4e02"]]\n')).toBe(false);
    expect(mayMatch('a.json', '"\\u0050RIVATE KEY"')).toBe(false); // not an object
    expect(mayMatch('a.json', '{"private_key_id": "k", "private_key": "\\u0050RIVATE KEY"')).toBe(false); // does not parse
    expect(mayMatch('a.json', escaped('\\u0050RIVATE'.replace('\\u0050', 'P')))).toBe(false); // no `PRIVATE KEY`
    // The rule reads the value as a string: a key in an array counts too.
    for (const key of [pemBlock('PRIVATE KEY'), [pemBlock('PRIVATE KEY')]]) {
      const text = escaped(key);
      expect(text).not.toContain('PRIVATE');
      expect(mayMatch('keys/sa.json', text)).toBe(true);
      expect((await find([{ path: 'keys/sa.json', content: text }])).map((f) => f.ruleId)).toContain('@secretlint/secretlint-rule-gcp');
    }
    expect(mayMatch('cert.p12', 'anything')).toBe(true);
  });

  it('a JSON file the shortcut passes over is one the gcp rule reports nothing in (random near-misses)', async () => {
    const fragments = [
      '{"private_key_id": "abc", "private_key": "',
      '{"private_key": "',
      '", "private_key_id": "k"}',
      '"}',
      '-----BEGIN ',
      'RSA ',
      'PRIVATE',
      ' KEY',
      'PRIVATE KEY',
      'RIVATE',
      '\\u0050',
      '\\u0020KEY',
      '\\u0020',
      '\\n',
      '\\\\',
      'KEY-----',
      'MIIEvQ',
      '["',
      '"]',
      ' ',
    ];
    const content = fc.array(fc.constantFrom(...fragments), { maxLength: 16 }).map((parts) => parts.join(''));
    let skipped = 0;
    await fc.assert(
      fc.asyncProperty(content, async (text) => {
        if (mayMatch('sa.json', text)) return;
        skipped++;
        const result = await lintSource({
          source: { content: text, filePath: 'sa.json', ext: '.json', contentType: 'text' },
          options: { config, maskSecrets: true, noPhysicFilePath: true },
        });
        expect(result.messages).toEqual([]);
      }),
      { numRuns: 1500, seed: 20261127 },
    );
    expect(skipped).toBeGreaterThan(100);
  });
});

describe("findSecrets: the harness's own rules, both ways", () => {
  const has = async (path: string, content: string, ruleId: string) => (await find([{ path, content }])).some((f) => f.ruleId === ruleId);

  it('passwords: a literal is found; references, types, comparisons, placeholders and labels are not', async () => {
    const pw = fake.password();
    const found: [string, string][] = [
      ['a.ts', `const password = "${pw}";`],
      ['a.ts', `const cfg = { dbPassword: '${pw}' };`],
      ['a.json', `{ "password": "${pw}" }`],
      ['a.py', `connect(host="db", password="${pw}")`],
      ['a.go', `password := "${pw}"`],
      ['app.properties', `db.password=${pw}`],
      ['a.yaml', `admin_passphrase: ${pw}`],
    ];
    const notFound: [string, string][] = [
      ['a.ts', 'const password = process.env.DB_PASSWORD;'],
      ['a.ts', 'interface User { password: string; }'],
      ['a.ts', 'type User = { password?: string };'],
      ['a.ts', "const user = { password: '' };"],
      ['a.ts', "const user = { password: 'changeme' };"],
      ['a.ts', "const user = { password: 'your-password-here' };"],
      ['a.ts', "const user = { password: '********' };"],
      ['a.ts', "const labels = { password: 'Enter your password' };"],
      ['a.ts', `if (password === "${pw}") {}`],
      ['a.ts', 'const check = (password) => password.length > 8;'],
      ['a.ts', 'const url = `postgres://${user}:${password}@localhost/db`;'],
      ['a.ts', 'const form = { password: `${input.value}` };'],
      ['a.ts', `const password = '${pw}'; // secretlint-disable-line`],
      ['a.ts', `// secretlint-disable-next-line\nconst password = '${pw}';`],
      ['a.ts', `const password = ${pw.replace(/[^A-Za-z0-9]/g, '')};`], // unquoted in code: an identifier
      ['a.py', 'password = os.environ["DB_PASSWORD"]'],
      ['a.yml', 'password: ${DB_PASSWORD}'],
      ['a.yml', 'password: "{{ vault_db_password }}"'],
      ['a.yml', 'password: !vault |'],
      ['a.ts', `const passwordField = "${pw}";`], // the key does not end in password
      ['page.html', '<input type="password" name="password" value="">'],
      ['a.ts', "const routes = { resetPassword: '/reset-password' };"],
    ];
    for (const [p, c] of found) expect(await has(p, c, PASSWORD_RULE), `${p}: ${c}`).toBe(true);
    for (const [p, c] of notFound) expect(await has(p, c, PASSWORD_RULE), `${p}: ${c}`).toBe(false);
    expect(isPasswordLiteral('hunter')).toBe(true);
    expect(isPasswordLiteral('hunt2')).toBe(false); // shorter than the minimum
    expect(isPasswordLiteral('/run/secrets/db')).toBe(false);
    expect(isPasswordLiteral('$DB_PASS')).toBe(false);
  });

  it('Stripe: live secret and restricted keys are found; test and publishable keys are not', async () => {
    expect(await has('a.ts', `const k = '${fake.stripe()}';`, STRIPE_RULE)).toBe(true);
    expect(await has('a.ts', `const k = '${['sk', '_test_', chars('t', 24)].join('')}';`, STRIPE_RULE)).toBe(false);
    expect(await has('a.ts', `const k = '${['pk', '_live_', chars('p', 24)].join('')}';`, STRIPE_RULE)).toBe(false);
    expect(await has('a.ts', `const k = '${['sk', '_live_', 'short'].join('')}';`, STRIPE_RULE)).toBe(false);
  });

  it('JWT: a signed token is found; eyJ-looking text whose header is not a JWT header is not', async () => {
    expect(await has('a.ts', `const t = "${fake.jwt()}";`, JWT_RULE)).toBe(true);
    const notHeader = Buffer.from(JSON.stringify({ hello: 'world, this is json' })).toString('base64url');
    const fakeJwt = [notHeader, fake.jwt().split('.')[1], chars('sig2', 43, B64URL)].join('.');
    expect(await has('a.ts', `const t = "${fakeJwt}";`, JWT_RULE)).toBe(false);
    const unsigned = fake.jwt().split('.').slice(0, 2).join('.') + '.';
    expect(await has('a.ts', `const t = "${unsigned}";`, JWT_RULE)).toBe(false);
  });

  it('the new rules are allowed like any other: by rule id, path and path:line', async () => {
    const files = [{ path: 'src/pay.ts', content: `const a = 1;\nconst k = '${fake.stripe()}';\n` }];
    expect(await find(files, [STRIPE_RULE])).toEqual([]);
    expect(await find(files, ['src/pay.ts:2'])).toEqual([]);
    expect(await find(files, ['src/pay.ts:1'])).toHaveLength(1);
  });
});

describe('assertNoSecrets: texts that are not files of the codebase', () => {
  async function thrown(p: Promise<unknown>): Promise<HarnessError> {
    try {
      await p;
    } catch (error) {
      if (error instanceof HarnessError) return error;
      throw error;
    }
    throw new Error('expected a HarnessError');
  }

  it('a message is reported as `--message: kind`, never with the secret', async () => {
    const secret = fake.stripe();
    const e = await thrown(
      assertNoSecrets([{ path: '--message', content: `use the key ${secret} for billing`, unlocated: true }], {
        allow: [],
        env,
        source: 'the --message text',
      }),
    );
    expect(e.code).toBe('SECRET_FOUND');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('in the --message text');
    expect(e.message).toContain('  --message: Stripe live secret key');
    expect(e.located).toMatch(/^--message: /);
    expect(`${e.located}\n${e.hint}`).not.toContain(secret);
  });

  it('a spec or a task list is reported by path:line', async () => {
    const secret = fake.jwt();
    const e = await thrown(
      assertNoSecrets([{ path: 'spec.md', content: `# Spec\n\nCall the API with ${secret}.\n` }], { allow: [], env, source: 'the spec spec.md' }),
    );
    expect(e.message).toContain('  spec.md:3: JSON Web Token (JWT)');
    expect(e.file).toBe('spec.md');
    expect(e.line).toBe(3);
    expect(`${e.located}\n${e.hint}`).not.toContain(secret);
    await expect(assertNoSecrets([{ path: 'spec.md', content: 'nothing to see\n' }], { allow: [], env, source: 'x' })).resolves.toBeUndefined();
  });
});
