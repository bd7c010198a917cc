/**
 * The output splitter (docs/sections.md): cuts a model's reply into files by whole-line
 * markers `<<<FILE path>>>` … `<<<END path>>>`. Pure; streaming (SectionSplitter) and one-shot
 * (splitOutput) give the same result, in time linear in the text. Markers are read in
 * section-marker.ts; a closed section's body becomes file content in section-body.ts.
 *
 * Decisions beyond the bare format (docs/sections.md describes them for users):
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
 *   path in exactly one of files / incomplete / missing / ambiguous.
 * - Ambiguous sections (the content showed the section format, e.g. docs or tests about it): an
 *   `<<<END P>>>` line for an asked path P whose section has already closed means that P's content
 *   held a line that looks like a marker (its END, or a FILE marker that closed it), so where P
 *   ends cannot be told. P is not returned as a file but listed in `ambiguous`, and so is every
 *   asked section that closed after P's (it may be an example inside P's content). Outside any
 *   section, the line is left out; inside another section (read from P's content, or a file that
 *   itself shows the format), that section is dropped as ambiguous too. A later complete section
 *   for a path replaces its ambiguous one, as a duplicate would. An END line of a path with no
 *   complete section yet stays content inside a section (ignored outside, with a warning).
 *   Not detected: a content holding a FILE line of its own path after a line that closed it,
 *   which reads as the file written twice (the later copy wins, see duplicates).
 * - A section for an unasked path is consumed until its END (or until a FILE marker of an asked
 *   path, as for asked sections) and reported once in `unrequested`.
 * - Outside text is kept for the run log: at most OUTSIDE_TEXT_LIMIT characters, trimmed, with
 *   runs of blank lines collapsed.
 */
import { type FilePieces, pushPieces, withPieces } from './file-pieces.js';
import { fileContent } from './section-body.js';
import { type Marker, parseMarker, pathKey } from './section-marker.js';
import { collapseBlankLines, startsWithMarker } from './text-lines.js';

export interface SplitFile {
  path: string;
  /** The content (made from `pieces` when first read). */
  readonly content: string;
  /** The content in pieces of at most PIECE_CHARS characters (file-pieces.ts): what a collect writes. Not enumerable. */
  readonly pieces: FilePieces;
}

export interface SplitResult {
  /** Complete sections for asked paths, in output order (a replaced duplicate moves to its last place). */
  files: SplitFile[];
  /** Asked paths whose section was opened but never closed (truncation or slip). */
  incomplete: string[];
  /** Asked paths with no section at all. */
  missing: string[];
  /**
   * Asked paths whose section cannot be told apart from its content: an END marker of the path
   * appeared after its section had closed (see the notes at the top). Not written.
   */
  ambiguous: string[];
  /** Marker paths of sections the request did not ask for (not written), first-seen order. */
  unrequested: string[];
  /** Human-readable notes: sections closed by another FILE marker, duplicates, stray END markers. */
  warnings: string[];
  /** Text outside sections, for the run log. */
  outsideText: string;
}

/** How much outside text is kept for the log. */
export const OUTSIDE_TEXT_LIMIT = 64 * 1024;

interface OpenSection {
  marker: Marker;
  /** The asked path, or null for an unrequested section (whose body is not kept). */
  asked: string | null;
  /** Pieces of the body so far (joined: the body lines, each with its `\n`), each of at most PIECE_CHARS characters. */
  pieces: string[];
}

/** Streaming splitter: feed chunks with push(), then call end() once. */
export class SectionSplitter {
  private readonly askedByKey = new Map<string, string>();
  private readonly asked: readonly string[];
  private readonly files = new Map<string, FilePieces>();
  private readonly unrequested = new Set<string>();
  private readonly warnings: string[] = [];
  private readonly seen = new Set<string>();
  private readonly ambiguous = new Set<string>();
  /** Asked path → ordinal of the close of its latest complete section. */
  private readonly closedAt = new Map<string, number>();
  private closes = 0;
  private open: OpenSection | null = null;
  /** Pieces of the current, not yet terminated line. */
  private partial: string[] = [];
  /** The chunk push() is reading. */
  private chunk = '';
  /**
   * Where, in `chunk`, body text of the open section starts that is not in its pieces yet (-1:
   * none). Body lines read whole from one chunk are not copied one by one: the run of them is
   * taken as one slice when the section closes or the chunk ends.
   */
  private runStart = -1;
  private outside = '';
  private outsideDropped = 0;
  private ended = false;

  constructor(asked: readonly string[]) {
    this.asked = asked;
    for (const a of asked) if (!this.askedByKey.has(pathKey(a))) this.askedByKey.set(pathKey(a), a);
  }

  push(chunk: string): void {
    if (this.ended) throw new Error('SectionSplitter: push() after end()');
    this.chunk = chunk;
    this.runStart = -1;
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      if (this.partial.length === 0) {
        this.line(chunk, start, nl);
      } else {
        pushPieces(this.partial, chunk, start, nl);
        this.partialLine('\n');
      }
      start = nl + 1;
    }
    this.endRun(start);
    this.chunk = '';
    if (start < chunk.length) pushPieces(this.partial, chunk, start);
  }

  end(): SplitResult {
    if (this.ended) throw new Error('SectionSplitter: end() called twice');
    if (this.partial.length > 0) this.partialLine('');
    this.ended = true;
    const incomplete: string[] = [];
    const open = this.open?.asked ?? null;
    if (open !== null) {
      if (this.files.has(open)) this.warnings.push(`section for ${open} not closed: the earlier complete section is kept`);
      else if (this.ambiguous.has(open)) this.warnings.push(`section for ${open} not closed: ${open} stays ambiguous`);
      else incomplete.push(open);
    }
    let outsideText = collapseBlankLines(this.outside).trim();
    if (this.outsideDropped > 0) outsideText += `\n[… ${this.outsideDropped} more characters outside sections not kept]`;
    return {
      files: [...this.files].map(([path, pieces]) => withPieces({ path }, pieces)),
      incomplete,
      missing: this.asked.filter((a) => !this.seen.has(a)),
      ambiguous: this.asked.filter((a) => this.ambiguous.has(a)),
      unrequested: [...this.unrequested],
      warnings: this.warnings,
      outsideText,
    };
  }

  /**
   * The line read from several chunks (in `partial`), followed by `eol` ('' for a last line with no
   * line break). Only a line starting with `<<<` is joined (to be read as a marker); any other one
   * is content or outside text, and goes on in its pieces: a long line is never made whole.
   */
  private partialLine(eol: string): void {
    const parts = this.partial;
    this.partial = [];
    if (startsWithMarker(parts)) {
      const line = parts.join('');
      this.line(line, 0, line.length, eol);
      return;
    }
    const open = this.open;
    if (open === null) {
      for (const p of parts) this.addOutside(p);
      this.addOutside(eol);
    } else if (open.asked !== null) {
      for (const p of parts) open.pieces.push(p);
      if (eol !== '') open.pieces.push(eol);
    }
  }

  /**
   * One line: `text.slice(start, end)`, followed in `text` by its `\n`; or, with `eol` given, a
   * line put together from pieces (not in `chunk`) whose line break is `eol` ('' for a last line
   * with no line break).
   */
  private line(text: string, start: number, end: number, eol?: string): void {
    // Only a line starting with `<<<` can be a marker: the others are never sliced out for it.
    const marker = text.startsWith('<<<', start) ? parseMarker(text.slice(start, end)) : null;
    const open = this.open;
    if (open === null) {
      if (marker?.kind === 'FILE') this.openSection(marker);
      else {
        if (marker) {
          const asked = this.askedByKey.get(marker.key);
          if (asked !== undefined && this.closedAt.has(asked)) this.makeAmbiguous(asked, `END ${asked} after its section had closed`);
          else this.warnings.push(`END ${marker.raw} outside any section: ignored`);
        }
        this.addOutside(eol === undefined ? text.slice(start, end + 1) : text + eol);
      }
      return;
    }
    if (marker?.kind === 'END' && marker.key === open.marker.key) {
      this.endRun(start);
      this.closeSection(open);
      return;
    }
    if (marker?.kind === 'END') {
      const closed = this.askedByKey.get(marker.key);
      if (closed !== undefined && closed !== open.asked && this.closedAt.has(closed)) {
        // `closed`'s content went on to here: what was read as the open section was part of it.
        this.runStart = -1;
        this.open = null;
        const why = `END ${closed} inside the section of ${open.asked ?? open.marker.raw}, after ${closed}'s section had closed`;
        if (open.asked !== null) {
          if (!this.files.has(open.asked)) this.ambiguous.add(open.asked);
          // Its own END may still come (as content of what follows): that makes it ambiguous again.
          this.closedAt.set(open.asked, this.closes++);
        }
        this.makeAmbiguous(closed, why);
        this.addOutside(eol === undefined ? text.slice(start, end + 1) : text + eol);
        return;
      }
    }
    const asked = marker?.kind === 'FILE' ? this.askedByKey.get(marker.key) : undefined;
    if (marker && asked !== undefined && asked !== open.asked) {
      const was = open.asked ?? open.marker.raw;
      this.warnings.push(`FILE ${asked} opened while ${was} was open: ${was} closed`);
      this.endRun(start);
      this.closeSection(open);
      this.openSection(marker);
      return;
    }
    if (open.asked === null) return;
    if (eol !== undefined) pushPieces(open.pieces, text + eol);
    else if (this.runStart < 0) this.runStart = start;
  }

  /** The run of body lines read from `chunk` up to `end` goes into the open section's pieces. */
  private endRun(end: number): void {
    if (this.runStart >= 0 && this.open?.asked != null && end > this.runStart) pushPieces(this.open.pieces, this.chunk, this.runStart, end);
    this.runStart = -1;
  }

  private openSection(marker: Marker): void {
    const asked = this.askedByKey.get(marker.key) ?? null;
    if (asked === null) this.unrequested.add(marker.raw);
    else this.seen.add(asked);
    this.open = { marker, asked, pieces: [] };
  }

  private closeSection(section: OpenSection): void {
    this.open = null;
    if (section.asked === null) return;
    if (this.files.delete(section.asked)) this.warnings.push(`duplicate section for ${section.asked}: the later one replaces the earlier one`);
    else if (this.ambiguous.delete(section.asked))
      this.warnings.push(`duplicate section for ${section.asked}: the later one replaces the earlier, ambiguous one`);
    this.files.set(section.asked, fileContent(section.pieces));
    this.closedAt.set(section.asked, this.closes++);
  }

  /**
   * `path`'s content showed the section format (`why`): its complete section, and every asked
   * section that closed after it (it may have been inside `path`'s content), are ambiguous.
   */
  private makeAmbiguous(path: string, why: string): void {
    const from = this.closedAt.get(path)!;
    const also: string[] = [];
    for (const [p, at] of this.closedAt) {
      if (at < from || !this.files.has(p)) continue;
      this.files.delete(p);
      this.ambiguous.add(p);
      if (p !== path) also.push(p);
    }
    this.ambiguous.add(path);
    this.warnings.push(
      `${why}: the content of ${path} shows the section format, so where it ends is ambiguous; not written` +
        (also.length > 0 ? ` (nor ${also.join(', ')}, whose section came after it)` : ''),
    );
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
