/** Line helpers over a string for the splitter: loops and anchored tests, linear on any input. */

/** `line` without trailing spaces, tabs, `\r` and `\n` (a loop, not a regex: linear on any line). */
export function stripEnd(line: string): string {
  let end = line.length;
  while (end > 0 && ' \t\r\n'.includes(line[end - 1]!)) end--;
  return line.slice(0, end);
}

/** A line of nothing but spaces, tabs and `\r` (with or without its `\n`). */
export const isBlank = (line: string): boolean => /^[ \t\r]*\n?$/.test(line);

/** End of the line starting at `start` (after its `\n`, or the end of `text`). */
export function lineEnd(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  return nl === -1 ? text.length : nl + 1;
}

/** Start of the line ending at `end` (just after its `\n`, or the end of `text`), for `end` > 0. */
export function lineStart(text: string, end: number): number {
  return end < 2 ? 0 : text.lastIndexOf('\n', end - 2) + 1;
}
