// A deterministic generated repository: `files` source files (TypeScript, some JSON and Markdown)
// under packages/<p>/src/<m>/, with a root .gitignore and a few ignored files. Same arguments,
// same bytes, on every machine (a seeded PRNG, no time, no randomness).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'order',
  'user',
  'item',
  'price',
  'total',
  'cart',
  'stock',
  'report',
  'event',
  'queue',
  'cache',
  'token',
  'route',
  'state',
  'value',
  'index',
];

function tsFile(rand, name, targetBytes) {
  const w = () => WORDS[Math.floor(rand() * WORDS.length)];
  let out = `// ${name}: generated for the codegen-harness bench\nimport { z } from 'zod';\n\n`;
  let k = 0;
  while (out.length < targetBytes) {
    const a = w();
    const b = w();
    const n = Math.floor(rand() * 1000);
    out +=
      `export const ${a}Schema${k} = z.object({ ${b}: z.string(), count: z.number().int().min(${n}) });\n` +
      `export function ${a}${b[0].toUpperCase()}${b.slice(1)}${k}(input: { ${b}: string; count: number }): number {\n` +
      `  const parsed = ${a}Schema${k}.parse(input);\n` +
      `  return parsed.count * ${n} + parsed.${b}.length;\n}\n\n`;
    k++;
  }
  return out;
}

/** Writes the repo under `dir` (which must not exist or be empty); returns { files, bytes }. */
export function generateRepo(dir, files, seed = 42) {
  const rand = prng(seed);
  let bytes = 0;
  const write = (rel, text) => {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
  };
  write('.gitignore', '*.log\ntmp/\n');
  write('package.json', '{ "name": "generated", "private": true, "type": "module" }\n');
  write('README.md', `# Generated\n\nA generated repository of ${files} files for the bench.\n`);
  write('tmp/ignored.txt', 'ignored by .gitignore\n');
  write('debug.log', 'ignored by .gitignore\n');
  const perModule = 50;
  const perPackage = 20 * perModule;
  let written = 3;
  for (let i = 0; written < files; i++, written++) {
    const p = Math.floor(i / perPackage);
    const m = Math.floor((i % perPackage) / perModule);
    const base = `packages/p${String(p).padStart(3, '0')}/src/m${String(m).padStart(2, '0')}/f${String(i).padStart(6, '0')}`;
    const r = rand();
    // Sizes: mostly 300 B – 2 KB, one in ten up to 8 KB (about 1.4 KB on average).
    const size = r < 0.9 ? 300 + Math.floor(rand() * 1700) : 2000 + Math.floor(rand() * 6000);
    if (i % 97 === 0) write(`${base}.json`, `${JSON.stringify({ id: i, name: base, tags: WORDS.slice(0, 1 + (i % 8)) }, null, 2)}\n`);
    else if (i % 89 === 0) write(`${base}.md`, `# ${base}\n\n${'Notes about this module. '.repeat(Math.ceil(size / 25))}\n`);
    else write(`${base}.ts`, tsFile(rand, base, size));
  }
  return { files: written, bytes };
}
