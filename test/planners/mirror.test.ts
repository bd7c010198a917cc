import { describe, expect, it } from 'vitest';
import { configSchema, type MirrorRule } from '../../src/config/schema.js';
import { mirrorTarget, mirrorVars, planMirror } from '../../src/planners/mirror.js';
import { parseTaskList, renderTaskList } from '../../src/tasks/task-list.js';
import { caught } from '../helpers/errors.js';

const rules = (...r: Partial<MirrorRule>[]): MirrorRule[] => configSchema.parse({ mirror: { rules: r } }).mirror.rules;

const repo = [
  'src/index.ts',
  'src/auth/user.ts',
  'src/auth/session.ts',
  'src/util/deep/x.ts',
  'README.md',
  'test/auth/user.test.ts',
  'src/auth/user.test.ts',
];

describe('mirror placeholders', () => {
  it('{dir} is relative to the glob static base, {name}/{ext}/{path} from the file', () => {
    expect(mirrorVars('src/a/b.ts', 'src/**/*.ts')).toEqual({ dir: 'a', name: 'b', ext: 'ts', path: 'src/a/b.ts' });
    expect(mirrorVars('src/b.ts', 'src/**/*.ts')).toEqual({ dir: '', name: 'b', ext: 'ts', path: 'src/b.ts' });
    expect(mirrorVars('src/a/b.c.ts', '**/*.ts')).toEqual({ dir: 'src/a', name: 'b.c', ext: 'ts', path: 'src/a/b.c.ts' });
    expect(mirrorVars('Makefile', '*')).toEqual({ dir: '', name: 'Makefile', ext: '', path: 'Makefile' });
  });

  it('an empty {dir} leaves no // in the target', () => {
    expect(mirrorTarget('test/{dir}/{name}.test.{ext}', mirrorVars('src/b.ts', 'src/**/*.ts'))).toBe('test/b.test.ts');
    expect(mirrorTarget('{dir}/{name}.md', mirrorVars('src/b.ts', 'src/**/*.ts'))).toBe('b.md');
    expect(mirrorTarget('./docs/{path}.md', mirrorVars('src/b.ts', 'src/**/*.ts'))).toBe('docs/src/b.ts.md');
  });
});

describe('planMirror', () => {
  it('one task per matching source, grouped by source directory, in byte order', () => {
    const sources = repo.filter((p) => p !== 'src/auth/user.test.ts');
    const plan = planMirror(sources, rules({ from: 'src/**/*.ts', to: 'test/{dir}/{name}.test.ts' }), 'harness.config.ts');
    expect(plan.groups).toEqual([
      {
        heading: 'src/auth',
        tasks: [
          { path: 'test/auth/session.test.ts', description: 'Tests for `src/auth/session.ts`' },
          // exists already: planned again, as a rewrite
          { path: 'test/auth/user.test.ts', description: 'Tests for `src/auth/user.ts`' },
        ],
      },
      { heading: 'src', tasks: [{ path: 'test/index.test.ts', description: 'Tests for `src/index.ts`' }] },
      { heading: 'src/util/deep', tasks: [{ path: 'test/util/deep/x.test.ts', description: 'Tests for `src/util/deep/x.ts`' }] },
    ]);
  });

  it('skips sources that are themselves targets (existing tests get no test)', () => {
    const plan = planMirror(repo, rules({ from: '**/*.ts', to: '{dir}/{name}.test.ts', group: 'Tests' }), 'harness.config.ts');
    const paths = plan.groups.flatMap((g) => g.tasks.map((t) => t.path));
    // src/auth/user.test.ts and test/auth/user.test.ts match the rule's `to` pattern: not sources
    // (no *.test.test.ts); src/auth/user.test.ts is still planned as the target of src/auth/user.ts.
    expect(paths).toEqual(['src/auth/session.test.ts', 'src/auth/user.test.ts', 'src/index.test.ts', 'src/util/deep/x.test.ts']);
    expect(paths.filter((p) => p.includes('.test.test.'))).toEqual([]);
    expect(plan.groups.map((g) => g.heading)).toEqual(['Tests']);
  });

  it('plans an existing target again (a rewrite) and lets an in-place rule map a file onto itself', () => {
    const a = planMirror(['src/a.ts', 'test/a.test.ts'], rules({ from: 'src/*.ts', to: 'test/{name}.test.ts' }), 'c.ts');
    expect(a.groups.flatMap((g) => g.tasks.map((t) => t.path))).toEqual(['test/a.test.ts']);
    const inPlace = planMirror(
      ['lib/a.js', 'lib/b.js'],
      rules({ from: 'lib/**/*.js', to: '{path}', description: 'Modernise `{path}` ({name}.{ext})' }),
      'c.ts',
    );
    expect(inPlace.groups).toEqual([
      {
        heading: 'lib',
        tasks: [
          { path: 'lib/a.js', description: 'Modernise `lib/a.js` (a.js)' },
          { path: 'lib/b.js', description: 'Modernise `lib/b.js` (b.js)' },
        ],
      },
    ]);
  });

  it('duplicate targets: the first rule wins; rule.group and description templates are used', () => {
    const plan = planMirror(
      ['src/a.ts', 'src/a.js'],
      rules(
        { from: 'src/*.ts', to: 'docs/{name}.md', group: 'Docs', description: 'Doc for {path}' },
        { from: 'src/*.js', to: 'docs/{name}.md', group: 'Other' },
      ),
      'c.ts',
    );
    expect(plan.groups).toEqual([{ heading: 'Docs', tasks: [{ path: 'docs/a.md', description: 'Doc for src/a.ts' }] }]);
  });

  it('a description that does not name the source gets it appended: the writer knows which file the target covers', () => {
    const plan = planMirror(
      ['src/a.ts'],
      rules({ from: 'src/*.ts', to: 'test/{name}.test.ts', description: 'Vitest tests, 100% branch coverage' }),
      'c.ts',
    );
    expect(plan.groups[0]!.tasks).toEqual([{ path: 'test/a.test.ts', description: 'Vitest tests, 100% branch coverage (covers `src/a.ts`)' }]);
  });

  it('top-level sources are grouped under (root), and the plan renders to a valid task list', () => {
    const plan = planMirror(['a.py', 'pkg/b.py'], rules({ from: '**/*.py', to: 'tests/test_{name}.py' }), 'c.ts');
    expect(plan.groups.map((g) => g.heading)).toEqual(['(root)', 'pkg']);
    const list = parseTaskList(renderTaskList(plan));
    expect(list.tasks.map((t) => [t.path, t.group])).toEqual([
      ['tests/test_a.py', '(root)'],
      ['tests/test_b.py', 'pkg'],
    ]);
  });

  it('is deterministic whatever the order of the input paths', () => {
    const r = rules({ from: 'src/**/*.ts', to: 'test/{dir}/{name}.test.ts' }, { from: '**/*.md', to: 'docs/{path}' });
    const a = planMirror(repo, r, 'c.ts');
    const b = planMirror([...repo].reverse(), r, 'c.ts');
    const c = planMirror([...repo, ...repo], r, 'c.ts');
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('an unsafe target is BAD_CONFIG naming the config file and the rule', () => {
    const e = caught(() => planMirror(['src/a.ts'], rules({ from: 'src/*.ts', to: '../out/{name}.ts' }), 'harness.config.ts'));
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.file).toBe('harness.config.ts');
    expect(e.message).toContain('mirror.rules[0]');
    expect(e.message).toContain('../out/a.ts');
    const git = caught(() => planMirror(['src/a.ts'], rules({ from: 'src/*.ts', to: '.git/{name}' }), 'c.ts'));
    expect(git.code).toBe('BAD_CONFIG');
  });

  it('an unknown placeholder in `to` is BAD_CONFIG', () => {
    const e = caught(() => planMirror(['src/a.ts'], rules({ from: 'src/*.ts', to: 'test/{base}.ts' }), 'c.ts'));
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.message).toContain('{base}');
  });

  it('no rules is BAD_CONFIG with an example rule in the hint', () => {
    const e = caught(() => planMirror(repo, [], 'harness.config.ts'));
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.file).toBe('harness.config.ts');
    expect(e.hint).toContain("from: 'src/**/*.ts'");
    expect(e.hint).toContain('{dir}');
  });

  it('no match is BAD_CONFIG saying which globs matched nothing', () => {
    const e = caught(() =>
      planMirror(repo, rules({ from: 'lib/**/*.rb', to: 'spec/{name}_spec.rb' }, { from: 'app/*.py', to: 't/{name}.py' }), 'c.ts'),
    );
    expect(e.code).toBe('BAD_CONFIG');
    expect(e.message).toContain('"lib/**/*.rb", "app/*.py" matched no file');
    const skipped = caught(() => planMirror(['test/a.test.ts'], rules({ from: 'test/*.ts', to: 'test/{name}.test.ts' }), 'c.ts'));
    expect(skipped.message).toContain('themselves targets');
  });
});
