/**
 * The fast scanner: classifies one line of the body on its own. It only claims lines whose
 * meaning it can read with certainty (a plain task line, a plain ATX heading, a blank line) and
 * calls everything else `other`, which the hybrid scanner hands to remark. What it claims must
 * match remark exactly; test/tasks/scan-task-list.test.ts checks that on random documents.
 */
import { HARNESS_COMMENT_START } from './bookkeeping.js';
import { headingText, type RawHeading, type RawItem } from './scan-types.js';

export type LineKind = { kind: 'blank' } | { kind: 'other' } | { kind: 'task'; item: RawItem } | { kind: 'heading'; heading: RawHeading };

const BLANK = /^[ \t]*$/;
/** Bullet at column 0, 1–4 spaces, checkbox, spaces, then a single backtick opening the path. */
const TASK = /^[-*+]( {1,4})\[([ xX])\] +`(?!`)/;
const ATX = /^(#{1,6})(?:[ \t]+(.*))?$/;
/** Characters that make heading text differ from its source (emphasis, code, links, escapes, entities, HTML). */
const HEADING_MARKUP = /[`*_[\]<>\\&~]/;

const BLANK_LINE: LineKind = { kind: 'blank' };
const OTHER_LINE: LineKind = { kind: 'other' };

/** Where the line that starts at `start` ends, its line ending (`\n` or `\r\n`) left out. */
export function lineEndAt(source: string, start: number): number {
  const nl = source.indexOf('\n', start);
  return nl === -1 ? source.length : nl > start && source.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
}

/**
 * `text` is the line without its line ending, starting at offset `start` of the file, on
 * 1-based line `line`.
 */
export function classifyLine(text: string, start: number, line: number): LineKind {
  if (BLANK.test(text)) return BLANK_LINE;
  const c = text.charCodeAt(0);
  if (c === 35 /* # */) return heading(text, start);
  if (c === 45 /* - */ || c === 42 /* * */ || c === 43 /* + */) return task(text, start, line);
  return OTHER_LINE;
}

function heading(text: string, start: number): LineKind {
  const m = ATX.exec(text);
  if (!m) return OTHER_LINE;
  const content = m[2] ?? '';
  if (HEADING_MARKUP.test(content)) return OTHER_LINE;
  // An optional closing sequence: #s preceded by a space or tab (or making up the whole content).
  const stripped = content.replace(/(?:^|[ \t]+)#+[ \t]*$/, '');
  return { kind: 'heading', heading: { start, depth: m[1]!.length, text: headingText(stripped) } };
}

function task(text: string, start: number, line: number): LineKind {
  const m = TASK.exec(text);
  if (!m) return OTHER_LINE;
  const open = m[0].length; // just after the opening backtick
  const close = text.indexOf('`', open);
  if (close === -1 || text.charCodeAt(close + 1) === 96 /* ` */) return OTHER_LINE;
  let value = text.slice(open, close);
  if (value.length >= 2 && value.startsWith(' ') && value.endsWith(' ') && !/^ +$/.test(value)) value = value.slice(1, -1);

  const rest = text.slice(close + 1);
  let before = rest;
  const harness: RawItem['harness'] = [];
  const opener = rest.indexOf('<!--');
  if (opener !== -1) {
    // Like micromark: `<!-->` and `<!--->` are whole comments, otherwise the first `-->` ends it.
    const closer = rest.indexOf('-->', opener + 2);
    if (closer === -1) return OTHER_LINE;
    const end = closer + 3;
    const comment = rest.slice(opener, end);
    if (!BLANK.test(rest.slice(end)) || !HARNESS_COMMENT_START.test(comment) || comment.includes('`')) return OTHER_LINE;
    before = rest.slice(0, opener);
    if (before.endsWith('\\')) return OTHER_LINE;
    harness.push({ start: start + close + 1 + opener, end: start + close + 1 + end });
  }
  // Nothing before the comment may swallow it: no declarations or processing instructions, and no
  // HTML tag with a quoted attribute.
  if (before.includes('<') && (/<[!?]/.test(before) || /["']/.test(before))) return OTHER_LINE;

  return {
    kind: 'task',
    item: {
      start,
      line,
      checked: m[2] !== ' ',
      checkAt: start + 2 + m[1]!.length,
      code: { value, multiline: false },
      restStart: start + close + 1,
      paraEnd: start + text.length,
      harness,
      inBlockquote: false,
    },
  };
}
