/**
 * The output splitter (CONTRACT section 6): cuts a model's reply into files by whole-line
 * markers `<<<FILE path>>>` … `<<<END path>>>`. Pure; streaming (SectionSplitter) and one-shot
 * (splitOutput) give the same result, in time linear in the text.
 *
 * Decisions where the contract is silent:
 * - A marker is a whole line: no leading whitespace; trailing spaces, tabs and `\r` ignored; the
 *   path text is trimmed. A marker path matches an asked path after stripping leading `./`s
 *   (`./src/a.ts` matches `src/a.ts`); results always name the asked path.
 * - Body lines keep their bytes, `\r` included: a CRLF reply gives a CRLF file.
 * - One code fence wrapping the whole body (blank lines around it allowed) is removed: the first
 *   non-blank line is ``` or ~~~ (3+, optionally with an info string), the last non-blank line
 *   a bare closing fence of the same character, at least as long. Fences inside are kept.
 * - The file ends with exactly one line break: trailing blank lines are dropped, keeping the
 *   break after the last content line (`\r\n` in a CRLF file). A body of nothing but line
 *   breaks (or an empty fence) gives an empty file: content "".
 * - Duplicate sections for an asked path: the last complete one wins (warning). A later section
 *   left open does not discard an earlier complete one (warning). The result lists each asked
 *   path in exactly one of files / incomplete / missing.
 * - A section for an unasked path is consumed until its END (or until a FILE marker of an asked
 *   path, as for asked sections) and reported once in `unrequested`.
 * - Outside text is kept for the run log: at most OUTSIDE_TEXT_LIMIT characters, trimmed, with
 *   runs of blank lines collapsed.
 */

export interface SplitFile {
  path: string;
  content: string;
}

export interface SplitResult {
  /** Complete sections for asked paths, in output order (a replaced duplicate moves to its last place). */
  files: SplitFile[];
  /** Asked paths whose section was opened but never closed (truncation or slip). */
  incomplete: string[];
  /** Asked paths with no section at all. */
  missing: string[];
  /** Marker paths of sections the request did not ask for (not written), first-seen order. */
  unrequested: string[];
  /** Human-readable notes: sections closed by another FILE marker, duplicates, stray END markers. */
  warnings: string[];
  /** Text outside sections, for the run log. */
  outsideText: string;
}

/** How much outside text is kept for the log. */
export const OUTSIDE_TEXT_LIMIT = 64 * 1024;

const MARKER = /^<<<(FILE|END)[ \t](.*)>>>$/s;
const OPEN_FENCE = /^(`{3,}|~{3,})(.*)$/s;
const CLOSE_FENCE = /^(`{3,}|~{3,})$/;

interface Marker {
  kind: 'FILE' | 'END';
  /** Trimmed path as written. */
  raw: string;
  /** `raw` without leading `./`: what paths are compared by. */
  key: string;
}

interface OpenSection {
  marker: Marker;
  /** The asked path, or null for an unrequested section (whose body is not kept). */
  asked: string | null;
  /** Body lines, each with its `\n`. */
  lines: string[];
}

/** `line` without trailing spaces, tabs, `\r` and `\n` (a loop, not a regex: linear on any line). */
function stripEnd(line: string): string {
  let end = line.length;
  while (end > 0 && ' \t\r\n'.includes(line[end - 1]!)) end--;
  return line.slice(0, end);
}

const pathKey = (p: string): string => p.replace(/^(?:\.\/)+/, '');

function parseMarker(line: string): Marker | null {
  if (!line.startsWith('<<<')) return null;
  const m = MARKER.exec(stripEnd(line));
  const raw = m?.[2]?.trim();
  if (!m || !raw) return null;
  return { kind: m[1] as Marker['kind'], raw, key: pathKey(raw) };
}

/** Streaming splitter: feed chunks with push(), then call end() once. */
export class SectionSplitter {
  private readonly askedByKey = new Map<string, string>();
  private readonly asked: readonly string[];
  private readonly files = new Map<string, string>();
  private readonly unrequested = new Set<string>();
  private readonly warnings: string[] = [];
  private readonly seen = new Set<string>();
  private open: OpenSection | null = null;
  /** Pieces of the current, not yet terminated line. */
  private partial: string[] = [];
  private outside = '';
  private outsideDropped = 0;
  private ended = false;

  constructor(asked: readonly string[]) {
    this.asked = asked;
    for (const a of asked) if (!this.askedByKey.has(pathKey(a))) this.askedByKey.set(pathKey(a), a);
  }

  push(chunk: string): void {
    if (this.ended) throw new Error('SectionSplitter: push() after end()');
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      this.partial.push(chunk.slice(start, nl));
      const line = this.partial.join('');
      this.partial = [];
      this.line(line, '\n');
      start = nl + 1;
    }
    if (start < chunk.length) this.partial.push(chunk.slice(start));
  }

  end(): SplitResult {
    if (this.ended) throw new Error('SectionSplitter: end() called twice');
    const last = this.partial.join('');
    this.partial = [];
    if (last !== '') this.line(last, '');
    this.ended = true;
    const incomplete: string[] = [];
    const open = this.open?.asked ?? null;
    if (open !== null) {
      if (this.files.has(open)) this.warnings.push(`section for ${open} not closed: the earlier complete section is kept`);
      else incomplete.push(open);
    }
    let outsideText = collapseBlankLines(this.outside).trim();
    if (this.outsideDropped > 0) outsideText += `\n[… ${this.outsideDropped} more characters outside sections not kept]`;
    return {
      files: [...this.files].map(([path, content]) => ({ path, content })),
      incomplete,
      missing: this.asked.filter((a) => !this.seen.has(a)),
      unrequested: [...this.unrequested],
      warnings: this.warnings,
      outsideText,
    };
  }

  /** One line without its `\n`; `eol` is '\n', or '' for a last line with no line break. */
  private line(line: string, eol: string): void {
    const marker = parseMarker(line);
    const open = this.open;
    if (open === null) {
      if (marker?.kind === 'FILE') this.openSection(marker);
      else {
        if (marker) this.warnings.push(`END ${marker.raw} outside any section: ignored`);
        this.addOutside(line + eol);
      }
      return;
    }
    if (marker?.kind === 'END' && marker.key === open.marker.key) {
      this.closeSection(open);
      return;
    }
    const asked = marker?.kind === 'FILE' ? this.askedByKey.get(marker.key) : undefined;
    if (marker && asked !== undefined && asked !== open.asked) {
      const was = open.asked ?? open.marker.raw;
      this.warnings.push(`FILE ${asked} opened while ${was} was open: ${was} closed`);
      this.closeSection(open);
      this.openSection(marker);
      return;
    }
    if (open.asked !== null) open.lines.push(line + eol);
  }

  private openSection(marker: Marker): void {
    const asked = this.askedByKey.get(marker.key) ?? null;
    if (asked === null) this.unrequested.add(marker.raw);
    else this.seen.add(asked);
    this.open = { marker, asked, lines: [] };
  }

  private closeSection(section: OpenSection): void {
    this.open = null;
    if (section.asked === null) return;
    if (this.files.delete(section.asked)) this.warnings.push(`duplicate section for ${section.asked}: the later one replaces the earlier one`);
    this.files.set(section.asked, fileContent(section.lines));
  }

  private addOutside(text: string): void {
    const room = OUTSIDE_TEXT_LIMIT - this.outside.length;
    if (text.length <= room) this.outside += text;
    else {
      this.outside += text.slice(0, room);
      this.outsideDropped += text.length - room;
    }
  }
}

/** Splits a whole reply at once: `text` cut into files for the `asked` paths. */
export function splitOutput(text: string, asked: readonly string[]): SplitResult {
  const splitter = new SectionSplitter(asked);
  splitter.push(text);
  return splitter.end();
}

const isBlank = (line: string): boolean => /^[ \t\r]*\n?$/.test(line);

/** Keeps at most one blank line in a row. */
function collapseBlankLines(text: string): string {
  let blanks = 0;
  return text
    .split('\n')
    .filter((line) => {
      blanks = isBlank(line) ? blanks + 1 : 0;
      return blanks <= 1;
    })
    .join('\n');
}

/** A section's body lines (each ending in `\n`) as file content: wrapping fence removed, one final line break. */
function fileContent(lines: string[]): string {
  let first = 0;
  let last = lines.length - 1;
  while (first <= last && isBlank(lines[first]!)) first++;
  while (last >= first && isBlank(lines[last]!)) last--;
  const open = first < last ? OPEN_FENCE.exec(stripEnd(lines[first]!)) : null;
  const close = open ? CLOSE_FENCE.exec(stripEnd(lines[last]!)) : null;
  const wrapped =
    open && close && close[1]![0] === open[1]![0] && close[1]!.length >= open[1]!.length && !(open[1]![0] === '`' && open[2]!.includes('`'));
  const body = (wrapped ? lines.slice(first + 1, last) : lines).join('');
  let end = body.length;
  while (body[end - 1] === '\n') end -= body[end - 2] === '\r' ? 2 : 1;
  if (end === 0) return '';
  return body.slice(0, end) + (body.startsWith('\r\n', end) ? '\r\n' : '\n');
}
