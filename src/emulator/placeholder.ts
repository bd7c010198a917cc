/**
 * The content the offline model writes for a file: clearly a placeholder, syntactically plausible
 * for its extension, deterministic (same path, description and size → same bytes), ending with
 * one newline. `fileTokens` pads it with comment lines to about that many tokens (by countTokens).
 */
import path from 'node:path';
import { countTokens } from './token-count.js';

export interface PlaceholderOptions {
  /** Pad the file with comment lines to about this many tokens. */
  fileTokens?: number;
  /**
   * The files of earlier stages the request carried (prompt.ts `earlierStageFiles`): listed in the
   * file, so that a staged run shows offline what each request read. Nothing is added when empty.
   */
  earlier?: readonly string[];
}

type Style = 'slash' | 'hash' | 'dashes' | 'block' | 'html' | 'none';

interface Shape {
  style: Style;
  /** Lines before the header comment (a shebang, a doctype). */
  pre?: string;
  /** The code after the header (and the padding). */
  body: string;
  /** JSON: padding goes inside the object instead of comment lines. */
  json?: (padding: string[], read: string) => string;
  /** The header is in `pre` already (Markdown). */
  noHeader?: boolean;
}

const HEADER = 'Placeholder written offline by the codegen-harness emulator: no model wrote this file.';
const PAD_TEXT = 'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor';

/** One line, no control characters, no runs of whitespace. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A double-quoted string literal valid in JS, JSON, Python, Go, Rust, Java, YAML and TOML. */
const str = (s: string) => JSON.stringify(s);

function ident(s: string, fallback: string, lower = false): string {
  let id = s.replace(/[^A-Za-z0-9_]/g, '_');
  if (lower) id = id.toLowerCase();
  if (id === '' || /^_*$/.test(id)) return fallback;
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

function shapeFor(filePath: string, task: string): Shape {
  const base = path.posix.basename(filePath);
  const lower = base.toLowerCase();
  const ext = lower.includes('.') ? lower.slice(lower.lastIndexOf('.') + 1) : '';
  const stem = base.includes('.') ? base.slice(0, base.indexOf('.')) : base;
  const value = `{ path: ${str(filePath)}, task: ${str(task)} }`;
  if (/\.(test|spec)\.(ts|tsx|mts|js|jsx|mjs)$/.test(lower)) {
    return {
      style: 'slash',
      body: `import { expect, it } from 'vitest';\n\nit(${str(`placeholder: ${filePath}`)}, () => {\n  expect(true).toBe(true);\n});\n`,
    };
  }
  switch (ext) {
    case 'ts':
    case 'tsx':
    case 'mts':
    case 'cts':
      return { style: 'slash', body: `export const placeholder = ${value} as const;\n` };
    case 'js':
    case 'jsx':
    case 'mjs':
      return { style: 'slash', body: `export const placeholder = ${value};\n` };
    case 'cjs':
      return { style: 'slash', body: `module.exports = { placeholder: ${value} };\n` };
    case 'json':
      return {
        style: 'none',
        body: '',
        json: (padding, read) =>
          `${JSON.stringify({ placeholder: true, note: HEADER, path: filePath, task, ...(read ? { read } : {}), ...(padding.length > 0 ? { padding } : {}) }, null, 2)}\n`,
      };
    case 'md':
    case 'mdx':
    case 'markdown':
      return { style: 'html', pre: `# ${oneLine(stem) || 'Placeholder'}\n\n${HEADER}\n\nTask: ${task}\n`, body: '', noHeader: true };
    case 'py':
      return { style: 'hash', body: `\nPLACEHOLDER = {"path": ${str(filePath)}, "task": ${str(task)}}\n` };
    case 'go': {
      const pkg = ident(path.posix.basename(path.posix.dirname(filePath)), 'main', true);
      return { style: 'slash', body: `package ${pkg}\n\n// Placeholder is the task this file stands for.\nconst Placeholder = ${str(task)}\n` };
    }
    case 'rs':
      return { style: 'slash', body: `\n/// The task this file stands for.\npub const PLACEHOLDER: &str = ${str(task)};\n` };
    case 'java': {
      const cls = ident(stem, 'Placeholder');
      return {
        style: 'slash',
        body: `public final class ${cls} {\n    public static final String PLACEHOLDER = ${str(task)};\n\n    private ${cls}() {}\n}\n`,
      };
    }
    case 'yaml':
    case 'yml':
      return { style: 'hash', body: `placeholder: true\npath: ${str(filePath)}\ntask: ${str(task)}\n` };
    case 'toml':
      return { style: 'hash', body: `placeholder = true\npath = ${str(filePath)}\ntask = ${str(task)}\n` };
    case 'sh':
    case 'bash':
      return { style: 'hash', pre: '#!/bin/sh\n', body: ':\n' };
    case 'css':
    case 'scss':
    case 'less':
      return { style: 'block', body: ':root {\n  --placeholder: 1;\n}\n' };
    case 'html':
    case 'htm':
      return { style: 'html', pre: '<!doctype html>\n', body: `<title>Placeholder</title>\n<p>Placeholder for ${escapeHtml(filePath)}</p>\n` };
    case 'sql':
      return { style: 'dashes', body: 'SELECT 1;\n' };
    default:
      return { style: 'none', body: '' };
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function comment(style: Style, text: string): string {
  switch (style) {
    case 'slash':
      return `// ${text}\n`;
    case 'hash':
      return `# ${text}\n`;
    case 'dashes':
      return `-- ${text}\n`;
    case 'block':
      return `/* ${text.replace(/\*\//g, '* /')} */\n`;
    case 'html':
      return `<!-- ${text.replace(/--/g, '- -')} -->\n`;
    case 'none':
      return `${text}\n`;
  }
}

/** The line naming the earlier stages' files the request carried, or '' when it carried none. */
function earlierLine(earlier: readonly string[] | undefined): string {
  if (!earlier || earlier.length === 0) return '';
  return `Read from earlier stages (${earlier.length} file${earlier.length === 1 ? '' : 's'}): ${earlier.map(oneLine).join(', ')}`;
}

/** Exactly what the default responder writes inside the section for `filePath`. */
export function placeholderFile(filePath: string, description: string, options: PlaceholderOptions = {}): string {
  const read = earlierLine(options.earlier);
  const desc = oneLine(description);
  const task = desc ? `${filePath} — ${desc}` : filePath;
  const shape = shapeFor(filePath, task);
  const target = options.fileTokens ?? 0;

  if (shape.json) {
    let text = shape.json([], read);
    if (target > 0) {
      const padding: string[] = [];
      let tokens = countTokens(text) + 4;
      for (let n = 1; tokens < target; n++) {
        const line = `placeholder padding ${n}: ${PAD_TEXT}`;
        padding.push(line);
        tokens += countTokens(line) + 5;
      }
      text = shape.json(padding, read);
      // The per-line figure is an estimate of the JSON around each line: top up to the target exactly.
      for (let n = padding.length + 1; countTokens(text) < target; n++) {
        padding.push(`placeholder padding ${n}: ${PAD_TEXT}`);
        text = shape.json(padding, read);
      }
    }
    return text;
  }

  let head = shape.pre ?? '';
  if (shape.style === 'none') head += `Placeholder for ${task}\n`;
  else if (!shape.noHeader) head += comment(shape.style, HEADER) + comment(shape.style, `Task: ${task}`);
  if (read) head += comment(shape.style, read);
  const body = shape.body;
  const parts = [head];
  let tokens = countTokens(head) + countTokens(body);
  for (let n = 1; tokens < target; n++) {
    const line = comment(shape.style, `placeholder padding ${n}: ${PAD_TEXT}`);
    parts.push(line);
    tokens += countTokens(line);
  }
  parts.push(body);
  return parts.join('');
}
