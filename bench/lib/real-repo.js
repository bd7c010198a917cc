// The "real" repository of bench case 1: source files that every `npm ci` of this project installs,
// copied out of node_modules into a fresh git repo. Deterministic for a given package-lock.json:
// packages are taken whole, in code-unit order of their names, until `files` files are copied;
// of each package only what the scan would send is copied (text files by extension, up to the
// scan's default size limit, nothing under a directory the scan leaves out: nested node_modules,
// dist, coverage…), so the plain read and repomix read the same files as the harness.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { git, ROOT } from './util.js';

const TEXT = /\.(?:[cm]?[jt]sx?|json|md|markdown|txt|ya?ml|css|html|d\.ts)$/i;
// The scan's default excludes that occur in packages (src/repo/default-excludes.ts), and files it
// would skip by name (lock files, minified bundles): not copied, so every side reads the same set.
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage', '.cache', '.nyc_output', '__pycache__']);
const SKIP_FILES = /(?:\.min\.[cm]?js|\.map|-lock\.json|\.lock|\.pem|\.key|\.env(?:\..*)?)$/i;
const MAX_BYTES = 1024 * 1024;

/** Package directories of node_modules (`zod`, `@scope/name`), sorted. */
function packages(nodeModules) {
  const out = [];
  for (const name of readdirSync(nodeModules).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const sub of readdirSync(path.join(nodeModules, name)).sort()) out.push(`${name}/${sub}`);
    else out.push(name);
  }
  return out;
}

/** The files of one package that are copied, sorted. */
function packageFiles(dir) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(r);
      } else if (e.isFile() && TEXT.test(e.name) && !SKIP_FILES.test(e.name) && statSync(path.join(dir, r)).size <= MAX_BYTES) out.push(r);
    }
  };
  walk('');
  return out;
}

/** Builds the repo in `dir`; returns { files, packages } (what was copied). */
export function makeRealRepo(dir, files) {
  const nodeModules = path.join(ROOT, 'node_modules');
  if (!existsSync(nodeModules)) throw new Error('node_modules is missing: run npm ci first');
  let copied = 0;
  const taken = [];
  for (const pkg of packages(nodeModules)) {
    if (copied >= files) break;
    const list = packageFiles(path.join(nodeModules, pkg));
    if (list.length === 0) continue;
    for (const rel of list) {
      const to = path.join(dir, pkg, rel);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(path.join(nodeModules, pkg, rel), to);
    }
    copied += list.length;
    taken.push(pkg);
  }
  git(dir, 'init', '-q', '--initial-branch=main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'import');
  return { files: copied, packages: taken };
}
