/**
 * The emulator keeps its own facts: no file under src/emulator imports the harness's models table,
 * its token estimate or its prompt renderer (src/requests), directly or through another module of
 * the emulator, so the two can disagree and the tests can catch the harness's mistakes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const DIR = path.join(ROOT, 'src/emulator');
const FORBIDDEN = [/^src\/models\//, /^src\/shared\/tokens\.ts$/, /^src\/requests\//];

/** Every relative import of a TypeScript file, resolved to a path from the repo root (`.js` → `.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2]!,
  );
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)).replace(/\.js$/, '.ts'));
}

describe('the emulator is independent of the harness', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `src/emulator/${f}`);

  it('finds the emulator sources and reads their imports', () => {
    expect(files).toContain('src/emulator/model-facts.ts');
    expect(importsOf('src/emulator/cache.ts')).toContain('src/emulator/token-count.ts');
  });

  it('no emulator file imports src/models, src/shared/tokens.ts or src/requests (not even through another file it imports)', () => {
    const bad: string[] = [];
    for (const start of files) {
      const seen = new Set<string>();
      const todo = [start];
      while (todo.length > 0) {
        const f = todo.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        for (const dep of importsOf(f)) {
          if (FORBIDDEN.some((re) => re.test(dep))) bad.push(`${start} → ${f} → ${dep}`);
          else todo.push(dep);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
