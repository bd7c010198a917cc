/**
 * Prompt templates: `templates/*.md` shipped with the package, each replaceable by a file of the
 * same name in the config's `templatesDir`. Placeholders are `{{name}}` (letters, digits, `_`),
 * filled in one pass: a value that itself contains `{{x}}` is inserted as is.
 *
 * - system.md: no placeholders; the same bytes in every request (it precedes the cache breakpoint).
 * - request.md: `{{files}}` (required: the `- \`path\` — description` lines under the
 *   `## Files to write` heading), `{{count}}` (how many files).
 * - planner.md: `{{spec}}` (required), `{{specFile}}`.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../shared/errors.js';

export interface Templates {
  system: string;
  request: string;
  planner: string;
}

type TemplateName = keyof Templates;

/** Placeholders each template may use, and the ones it must use. */
const PLACEHOLDERS: Record<TemplateName, { allowed: readonly string[]; required: readonly string[] }> = {
  system: { allowed: [], required: [] },
  request: { allowed: ['files', 'count'], required: ['files'] },
  planner: { allowed: ['spec', 'specFile'], required: ['spec'] },
};

const NAMES: readonly TemplateName[] = ['system', 'request', 'planner'];
const PLACEHOLDER = /\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g;

/** The directory of the built-in templates (the same from src/requests and dist/requests). */
const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/**
 * Built-in templates, each replaced by `<overrideDir>/<name>.md` when that file exists. A missing
 * or non-directory `overrideDir`, or a template whose placeholders are not the ones above, is
 * HarnessError BAD_CONFIG naming the file.
 */
export async function loadTemplates(overrideDir?: string): Promise<Templates> {
  if (overrideDir !== undefined && (!existsSync(overrideDir) || !statSync(overrideDir).isDirectory())) {
    throw new HarnessError('BAD_CONFIG', `templatesDir ${overrideDir} is not a directory`, {
      hint: 'create it with your system.md / request.md / planner.md, or remove templatesDir from the config',
    });
  }
  const out = {} as Templates;
  for (const name of NAMES) {
    const override = overrideDir === undefined ? null : path.join(overrideDir, `${name}.md`);
    const file = override !== null && existsSync(override) ? override : path.join(BUILTIN_TEMPLATES_DIR, `${name}.md`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new HarnessError('BAD_CONFIG', `cannot read template ${file}: ${(error as Error).message}`, { file, cause: error });
    }
    checkTemplate(name, text, file);
    out[name] = text;
  }
  return out;
}

/** Placeholders of a template, in order of appearance, with their 1-based lines. */
export function placeholdersOf(template: string): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) found.push({ name: m[1]!, line: lineAt(template, m.index) });
  return found;
}

function checkTemplate(name: TemplateName, text: string, file: string): void {
  const { allowed, required } = PLACEHOLDERS[name];
  const found = placeholdersOf(text);
  for (const p of found) {
    if (!allowed.includes(p.name)) {
      const known =
        allowed.length === 0
          ? `${name}.md takes no placeholders (it must be the same bytes in every request)`
          : `${name}.md knows ${allowed.map((a) => `{{${a}}}`).join(', ')}`;
      throw new HarnessError('BAD_CONFIG', `unknown placeholder {{${p.name}}}: ${known}`, { file, line: p.line });
    }
  }
  for (const r of required) {
    if (!found.some((p) => p.name === r)) {
      throw new HarnessError('BAD_CONFIG', `${name}.md must contain {{${r}}}`, { file });
    }
  }
}

/**
 * Replaces every `{{name}}` with `vars[name]`, in one pass. A placeholder with no var is
 * HarnessError BAD_CONFIG with `file: name` and the placeholder's line.
 */
export function fillTemplate(template: string, vars: Record<string, string>, name: string): string {
  return template.replace(PLACEHOLDER, (_whole, key: string, offset: number) => {
    if (!Object.hasOwn(vars, key)) {
      const known = Object.keys(vars);
      throw new HarnessError('BAD_CONFIG', `template placeholder {{${key}}} has no value`, {
        file: name,
        line: lineAt(template, offset),
        hint: known.length === 0 ? `${name} takes no placeholders here` : `available: ${known.map((k) => `{{${k}}}`).join(', ')}`,
      });
    }
    return vars[key]!;
  });
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
