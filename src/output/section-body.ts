/**
 * What a section's body becomes as a file (docs/sections.md): one code fence wrapping the whole
 * body is removed, and the content ends with exactly one line break (none for an empty file).
 */
import { isBlank, lineEnd, lineStart, stripEnd } from './text-lines.js';

const OPEN_FENCE = /^(`{3,}|~{3,})(.*)$/s;
const CLOSE_FENCE = /^(`{3,}|~{3,})$/;

/** A section's body (whole lines, each ending in `\n`) as file content: wrapping fence removed, one final line break. */
export function fileContent(text: string): string {
  // The first and the last non-blank line: [fa, fb) and [la, lb).
  let fa = 0;
  let fb = 0;
  while (fa < text.length) {
    fb = lineEnd(text, fa);
    if (!isBlank(text.slice(fa, fb))) break;
    fa = fb;
  }
  let lb = text.length;
  let la = lb;
  while (lb > fa) {
    la = lineStart(text, lb);
    if (!isBlank(text.slice(la, lb))) break;
    lb = la;
  }
  const open = fa < text.length && fa < la && lb > fa ? OPEN_FENCE.exec(stripEnd(text.slice(fa, fb))) : null;
  const close = open ? CLOSE_FENCE.exec(stripEnd(text.slice(la, lb))) : null;
  const wrapped =
    open && close && close[1]![0] === open[1]![0] && close[1]!.length >= open[1]!.length && !(open[1]![0] === '`' && open[2]!.includes('`'));
  const body = wrapped ? text.slice(fb, la) : text;
  let end = body.length;
  while (body[end - 1] === '\n') end -= body[end - 2] === '\r' ? 2 : 1;
  if (end === 0) return '';
  const eol = body.startsWith('\r\n', end) ? '\r\n' : '\n';
  // Usually the body already ends with exactly one line break: it is the content, as is (no copy).
  return body.length === end + eol.length ? body : body.slice(0, end) + eol;
}
