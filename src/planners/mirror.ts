/**
 * The `mirror` planner: one task per source file matched by a rule of `mirror.rules`, e.g. a test
 * for every module: `{from: 'src/**\/*.ts', to: 'test/{dir}/{name}.test.ts'}`.
 *
 * Decisions:
 * - A source that is itself a target of some rule (its path matches a rule's `to` pattern, or is
 *   the target computed for another source) is skipped: an existing test does not get a test.
 *   A rule that maps a file onto itself (`to: '{path}'`, an in-place rewrite) is allowed.
 * - A target that already exists in the codebase IS planned: the task rewrites it (its request
 *   line says so, and the model sees the current version in the context). Tick its line in
 *   task-list.md to keep the file as it is.
 * - Two sources (from one rule or two) with the same target: the first one wins (rules in config
 *   order, sources in byte order).
 * - Groups: `rule.group` when given, else the source's directory (`(root)` for top-level files);
 *   groups in order of their first task.
 */
import path from 'node:path';
import type { MirrorRule } from '../config/schema.js';
import { HarnessError } from '../shared/errors.js';
import { unsafePathReason } from '../shared/paths.js';
import { globBase, globToRegExp } from '../shared/glob.js';
import { escapeRegExp } from '../shared/regexp.js';
import type { Plan } from './index.js';

const EXAMPLE_RULE = "mirror: { rules: [{ from: 'src/**/*.ts', to: 'test/{dir}/{name}.test.ts', description: 'Vitest tests for `{path}`' }] }";
const ROOT_GROUP = '(root)';
const TO_PLACEHOLDERS = new Set(['dir', 'name', 'ext', 'path']);

export interface MirrorVars {
  /** Directory of the source relative to the glob's static base ('' when directly in it). */
  dir: string;
  /** File name without its last extension. */
  name: string;
  /** Last extension without the dot ('' when none). */
  ext: string;
  /** The whole source path. */
  path: string;
}

export function mirrorVars(source: string, from: string): MirrorVars {
  const base = globBase(from);
  const dirOf = path.posix.dirname(source);
  const sourceDir = dirOf === '.' ? '' : dirOf;
  let dir = sourceDir;
  if (base !== '' && (sourceDir === base || sourceDir.startsWith(`${base}/`))) dir = sourceDir.slice(base.length + 1);
  const ext = path.posix.extname(source);
  return { dir, name: path.posix.basename(source, ext), ext: ext.slice(1), path: source };
}

/** `to` with its placeholders filled, then normalised (no `//`, no `./`, no trailing `/`). */
export function mirrorTarget(to: string, vars: MirrorVars): string {
  const filled = to.replace(/\{(dir|name|ext|path)\}/g, (_, k: keyof MirrorVars) => vars[k]);
  return filled
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** A RegExp matching every path `to` can produce (placeholders as wildcards). */
function targetPattern(to: string): RegExp {
  const norm = to
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
  let re = '';
  for (let i = 0; i < norm.length; ) {
    const m = /^\{(dir|name|ext|path)\}/.exec(norm.slice(i));
    if (m) {
      const key = m[1]!;
      const slash = norm[i + m[0].length] === '/';
      if (key === 'dir' || key === 'path') {
        re += slash ? '(?:.*/)?' : '.*';
        i += m[0].length + (slash ? 1 : 0);
      } else {
        re += '[^/]*';
        i += m[0].length;
      }
    } else {
      re += escapeRegExp(norm[i]!);
      i++;
    }
  }
  return new RegExp(`^${re}$`);
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function planMirror(paths: readonly string[], rules: readonly MirrorRule[], configFile: string): Plan {
  return planMirrorWithSources(paths, rules, configFile).plan;
}

/** The mirror plan, and for each planned target the source file it was made from. */
export function planMirrorWithSources(
  paths: readonly string[],
  rules: readonly MirrorRule[],
  configFile: string,
): { plan: Plan; sourceOf: Map<string, string> } {
  if (rules.length === 0) {
    throw new HarnessError('BAD_CONFIG', 'the mirror planner needs at least one rule in mirror.rules', {
      file: configFile,
      hint: `add to the config, e.g. ${EXAMPLE_RULE}`,
    });
  }
  rules.forEach((rule, i) => {
    for (const m of rule.to.matchAll(/\{([^{}]*)\}/g)) {
      if (!TO_PLACEHOLDERS.has(m[1]!)) {
        throw new HarnessError('BAD_CONFIG', `mirror.rules[${i}].to ${JSON.stringify(rule.to)}: unknown placeholder {${m[1]}}`, {
          file: configFile,
          hint: 'placeholders: {dir} {name} {ext} {path}',
        });
      }
    }
  });

  const sources = [...new Set(paths)].sort(byteOrder);
  const matchers = rules.map((r) => globToRegExp(r.from));
  const targetPatterns = rules.map((r) => targetPattern(r.to));

  // Every target any rule computes from another source, to recognise sources that are targets
  // themselves. A rule that maps a file onto itself (an in-place rewrite, `to: '{path}'`) does not
  // make that file a target.
  const mapsToItself = (s: string, j: number): boolean => matchers[j]!.test(s) && mirrorTarget(rules[j]!.to, mirrorVars(s, rules[j]!.from)) === s;
  const computed = new Set<string>();
  rules.forEach((rule, i) => {
    for (const s of sources) {
      if (!matchers[i]!.test(s)) continue;
      const t = mirrorTarget(rule.to, mirrorVars(s, rule.from));
      if (t !== s) computed.add(t);
    }
  });
  const isTarget = (s: string): boolean => computed.has(s) || targetPatterns.some((p, j) => p.test(s) && !mapsToItself(s, j));

  const groups = new Map<string, { path: string; description: string }[]>();
  const planned = new Set<string>();
  const sourceOf = new Map<string, string>();
  const matched = rules.map(() => 0);
  rules.forEach((rule, i) => {
    for (const source of sources) {
      if (!matchers[i]!.test(source)) continue;
      matched[i]!++;
      if (isTarget(source)) continue;
      const vars = mirrorVars(source, rule.from);
      const target = mirrorTarget(rule.to, vars);
      const unsafe = unsafePathReason(target);
      if (unsafe) {
        throw new HarnessError(
          'BAD_CONFIG',
          `mirror.rules[${i}] (from ${JSON.stringify(rule.from)}, to ${JSON.stringify(rule.to)}) makes the unsafe target ${JSON.stringify(target)} from ${source}: ${unsafe}`,
          { file: configFile, hint: 'targets must be relative paths inside the repo, without .. and outside .git/ and .harness/' },
        );
      }
      if (planned.has(target)) continue;
      planned.add(target);
      sourceOf.set(target, source);
      const dir = path.posix.dirname(source);
      const heading = rule.group ?? (dir === '.' ? ROOT_GROUP : dir);
      const described = rule.description.replace(/\{(dir|name|ext|path)\}/g, (_, k: keyof MirrorVars) => vars[k]);
      // The writer must know which file the target covers (its exports are in the codebase).
      const description = described.includes(source) ? described : `${described} (covers \`${source}\`)`.trim();
      const tasks = groups.get(heading) ?? [];
      if (tasks.length === 0) groups.set(heading, tasks);
      tasks.push({ path: target, description });
    }
  });

  if (planned.size === 0) {
    const none = rules.filter((_, i) => matched[i] === 0).map((r) => JSON.stringify(r.from));
    const skipped = rules.filter((_, i) => matched[i]! > 0).map((r) => JSON.stringify(r.from));
    const parts = [
      ...(none.length > 0 ? [`${none.join(', ')} matched no file of the codebase`] : []),
      ...(skipped.length > 0 ? [`${skipped.join(', ')} matched only files that are themselves targets of a rule`] : []),
    ];
    throw new HarnessError('BAD_CONFIG', `the mirror rules plan no task: ${parts.join('; ')}`, {
      file: configFile,
      hint: `globs match repo-relative paths of files in the context (${paths.length} files scanned), e.g. 'src/**/*.ts'`,
    });
  }
  return { plan: { title: 'Mirror plan', groups: [...groups].map(([heading, tasks]) => ({ heading, tasks })) }, sourceOf };
}
