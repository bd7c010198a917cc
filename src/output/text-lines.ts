/** Line helpers over a string for the splitter: loops and anchored tests, linear on any input. */

/** `line` without trailing spaces, tabs, `\r` and `\n` (a loop, not a regex: linear on any line). */
export function stripEnd(line: string): string {
  let end = line.length;
  while (end > 0 && ' \t\r\n'.includes(line[end - 1]!)) end--;
  return line.slice(0, end);
}

/** A line of nothing but spaces, tabs and `\r` (with or without its `\n`). */
const isBlank = (line: string): boolean => /^[ \t\r]*\n?$/.test(line);

/** The text of `parts` starts with `<<<` (only such a line can be a marker). */
export function startsWithMarker(parts: readonly string[]): boolean {
  let head = '';
  for (const p of parts) {
    head += p.slice(0, 3 - head.length);
    if (head.length >= 3) break;
  }
  return head === '<<<';
}

/** Keeps at most one blank line in a row. */
export function collapseBlankLines(text: string): string {
  let blanks = 0;
  return text
    .split('\n')
    .filter((line) => {
      blanks = isBlank(line) ? blanks + 1 : 0;
      return blanks <= 1;
    })
    .join('\n');
}
