/** Config `secrets.allow`: which findings the person has said are not secrets. */
import { globToRegExp } from '../shared/glob.js';
import type { SecretFinding } from './secrets.js';

/** The compiled lists, by list: the scan checks its files range by range with one list. */
const compiled = new WeakMap<readonly string[], (f: SecretFinding) => boolean>();

/**
 * Each entry allows the findings it names (compiled once a list):
 * - a rule id (`@secretlint/secretlint-rule-basicauth`, `harness/…`): that rule everywhere;
 * - `path:line`: the findings on that line (path as below);
 * - a path glob (`*`, `**`, `?`, `[…]`, `{a,b}`; dot files match): the findings in files it
 *   matches, or in files under a directory it matches (`test/fixtures`). A glob without `/`
 *   also matches the file name in any directory (`*.snap`), as in .gitignore.
 */
export function compileAllow(entries: readonly string[]): (f: SecretFinding) => boolean {
  let allow = compiled.get(entries);
  if (!allow) {
    allow = compileEntries(entries);
    compiled.set(entries, allow);
  }
  return allow;
}

function compileEntries(entries: readonly string[]): (f: SecretFinding) => boolean {
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
  return (f) => rules.has(f.ruleId) || lineRules.some((r) => r.line === f.line && r.match(f.path)) || pathRules.some((r) => r(f.path));
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
