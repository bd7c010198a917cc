/**
 * The default excludes of the scan (docs/context.md): what is never sent, whatever the config
 * says. Data only, kept apart from the walk that applies it (scan.ts), as repomix keeps its
 * `defaultIgnore.ts`. Config cannot re-include any of it.
 */
import { HARNESS_STATE_DIR, TASK_LIST_FILE } from '../shared/paths.js';

export interface DirRule {
  reason: string;
  /** Only at the repo root: names that are also plausible source directories (`src/build/`). */
  rootOnly: boolean;
}

const dirs = (names: readonly string[], reason: string, rootOnly = false) => names.map((d) => [d, { reason, rootOnly }] as const);

/** Directory names never walked, with the class reported in `skipped`. */
export const EXCLUDED_DIRS: ReadonlyMap<string, DirRule> = new Map([
  ...dirs(['.git', '.hg', '.svn', '.jj'], 'version control'),
  ...dirs(['node_modules', 'bower_components', 'jspm_packages', '.venv', 'venv', '.yarn', '.pnpm-store'], 'dependencies'),
  ...dirs(['vendor'], 'dependencies', true),
  ...dirs(
    [
      'dist',
      '.nyc_output',
      '.next',
      '.nuxt',
      '.svelte-kit',
      '.output',
      '.turbo',
      '.parcel-cache',
      '.cache',
      '.vercel',
      '.serverless',
      '.angular',
      '.docusaurus',
      'storybook-static',
      '__pycache__',
      '.pytest_cache',
      '.mypy_cache',
      '.ruff_cache',
      '.tox',
      '.gradle',
      '.terraform',
    ],
    'build output',
  ),
  ...dirs(['build', 'out', 'target', 'coverage'], 'build output', true),
  ...dirs([HARNESS_STATE_DIR], 'harness state'),
]);

export interface FileRule {
  reason: string;
  /** Basename globs (src/shared/glob.ts), matched case-insensitively. */
  names: readonly string[];
}

/** File names never read, at any depth. */
export const FILE_RULES: readonly FileRule[] = [
  {
    reason: 'lock file',
    names: [
      'package-lock.json',
      'npm-shrinkwrap.json',
      'yarn.lock',
      'pnpm-lock.yaml',
      'bun.lockb',
      'bun.lock',
      'deno.lock',
      'Cargo.lock',
      'poetry.lock',
      'Pipfile.lock',
      'pdm.lock',
      'uv.lock',
      'Gemfile.lock',
      'composer.lock',
      'go.sum',
      'mix.lock',
      'pubspec.lock',
      'Podfile.lock',
      'packages.lock.json',
      'gradle.lockfile',
      'flake.lock',
      '.terraform.lock.hcl',
    ],
  },
  { reason: 'environment file', names: ['.env', '.env.*', '*.env', '.envrc'] },
  {
    reason: 'private key',
    names: ['*.pem', '*.key', '*.p12', '*.pfx', '*.jks', '*.keystore', '*.ppk', 'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*'],
  },
  {
    reason: 'credentials',
    names: [
      '.npmrc',
      '.netrc',
      '_netrc',
      '.pypirc',
      '.git-credentials',
      '.htpasswd',
      '.pgpass',
      '.dockercfg',
      // `credentials`, `credentials.json`, `.aws/credentials`... but not a `credentials.ts` module.
      'credentials',
      ...['json', 'yaml', 'yml', 'xml', 'ini', 'toml', 'txt', 'csv', 'cfg', 'conf', 'enc'].map((e) => `credentials*.${e}`),
      'client_secret*.json',
      '*.tfstate',
      '*.tfstate.*',
    ],
  },
  { reason: 'version control', names: ['.git'] }, // a worktree's or submodule's `.git` file
];

/** The glob for an excluded directory: at any depth, or only at the root. */
const excludedDirGlob = (name: string, rule: DirRule): string => (rule.rootOnly ? `${name}/**` : `**/${name}/**`);

/**
 * The default excludes as globs, the list docs/context.md describes: dependency, build
 * and VCS directories (at any depth, except names that are also plausible source directories,
 * `build/ out/ target/ coverage/ vendor/`, only at the root), sensitive and generated file names
 * at any depth, and the root task list.
 */
export const DEFAULT_EXCLUDES: readonly string[] = [
  ...[...EXCLUDED_DIRS].map(([d, r]) => excludedDirGlob(d, r)),
  ...FILE_RULES.flatMap((r) => r.names.map((n) => `**/${n}`)),
  TASK_LIST_FILE,
];
