#!/usr/bin/env node
// Regenerates the configuration reference in README.md from the zod schema (`npm run docs`);
// `--check` exits 1 when README.md is out of date instead of writing it.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { withReference } from '../dist/config/reference.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = await readFile(readmePath, 'utf8');
const next = withReference(readme);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md: the configuration reference is out of date; run `npm run docs`');
    process.exit(1);
  }
  console.log('README.md: configuration reference up to date');
} else if (next !== readme) {
  await writeFile(readmePath, next);
  console.log('README.md: configuration reference updated');
} else {
  console.log('README.md: configuration reference already up to date');
}
