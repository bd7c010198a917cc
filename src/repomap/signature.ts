/**
 * One-line signatures for the repo map. A signature is the declaration's own text up to its body
 * (`export function f(a: string): number`, `class A extends B`), with every run of whitespace and
 * every control or line-separator character made one space, capped at MAX_SIGNATURE characters.
 * Source text is untrusted: after this it cannot start a line of the map or run on without end.
 */
import type { Declaration } from './repo-map.js';
import type { SyntaxNode } from './languages.js';

const MAX_SIGNATURE = 160;

/** Whitespace, C0/C1 controls, DEL and the Unicode line/paragraph separators: all become one space. */
const BREAKS = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * A copy of `s` that does not keep the file's text alive. V8 makes a substring of 13 characters or
 * more a view into its parent string, so a name sliced from a 200 KB file would pin all 200 KB for
 * as long as the outline lives; concatenating and slicing again makes it a string of its own.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

/** `text` on one line, trimmed, capped at `max` characters (an ellipsis marks the cut). */
export function oneLine(text: string, max = MAX_SIGNATURE): string {
  // Collapsing a huge text only to cut it is waste: the cut can only come within the first max*8 characters unless they are nearly all blanks.
  const head = text.length > max * 8 ? text.slice(0, max * 8) : text;
  const flat = head.replace(BREAKS, ' ').trim();
  if (flat.length <= max && head.length === text.length) return flat;
  if (flat.length <= max) return `${flat} …`;
  let cut = max - 1;
  // Never split a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(flat[cut - 1] ?? '')) cut--;
  return `${flat.slice(0, cut).trimEnd()}…`;
}

/** Text of `source` from `start` to `stop` on one line, without a trailing `{`, `:` or `=`. */
function headText(source: string, start: number, stop: number): string {
  return oneLine(source.slice(start, stop))
    .replace(/\s*[{:=]\s*$/, '')
    .trimEnd();
}

/** Gathers one file's declarations and import specifiers. */
export class OutlineCollector {
  readonly declarations: Declaration[] = [];
  readonly imports: string[] = [];
  /** Namespaces the file declares (C#), full names. */
  readonly namespaces: string[] = [];

  constructor(readonly source: string) {}

  /**
   * A declaration whose signature runs from `from` (the outermost node: `export …`, decorators
   * aside) to the start of `stop` (its body), or to its end when there is none.
   */
  add(kind: string, name: string | null | undefined, from: SyntaxNode, stop: SyntaxNode | null | undefined): void {
    if (!name) return;
    const signature = headText(this.source, from.startIndex, stop ? stop.startIndex : from.endIndex);
    if (!signature) return;
    this.declarations.push({ kind, name: detach(oneLine(name, 80)), signature: detach(signature), line: from.startPosition.row + 1 });
  }

  /** A declaration with a signature built by the caller (already one line). */
  addText(kind: string, name: string, signature: string, line: number): void {
    const flat = oneLine(signature);
    if (name && flat) this.declarations.push({ kind, name: detach(oneLine(name, 80)), signature: detach(flat), line });
  }

  addNamespace(name: string): void {
    if (name.length <= 300 && /^[\p{L}\p{N}_.@]+$/u.test(name)) this.namespaces.push(detach(name));
  }

  addImport(spec: string | null | undefined): void {
    if (spec && spec.length <= 500 && !/[\u0000-\u001f\u2028\u2029]/.test(spec)) this.imports.push(detach(spec));
  }
}

/** The value of a string literal node (`'./a.js'` -> `./a.js`). */
export function stringValue(node: SyntaxNode | null | undefined): string | null {
  if (!node) return null;
  const text = node.text;
  const m = /^(['"`])([\s\S]*)\1$/.exec(text);
  return m ? m[2]! : text;
}
