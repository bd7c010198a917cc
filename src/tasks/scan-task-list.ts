/**
 * Finds task items and headings in the Markdown body.
 *
 * remark is the reference, but it needs ~3 s for 10,000 task lines, so by default a line-based
 * pass reads the plain lines (task lines, ATX headings, blank lines) itself and hands every run of
 * other lines (prose, code fences, HTML, nested lists, quotes, tables…) to remark as a region.
 * A region starts where the block state is known to be clean: at the task line an indented or
 * lazy line could belong to, or at the other line itself. It ends just before a task or heading
 * line that remark, parsing the region plus that line, confirms starts a new top-level block read
 * exactly as the line-based pass read it; otherwise the region grows. Documents with link
 * reference definitions (`[x]: …`, global by nature) or bare CR line endings go to remark whole.
 */
import { classifyLine, type LineKind, lineEndAt } from './scan-line.js';
import { scanWithRemark, type RemarkScan } from './scan-remark.js';
import type { RawHeading, RawItem, Scan } from './scan-types.js';

export type ScanEngine = 'hybrid' | 'remark';

export interface BodyScan extends Scan {
  /**
   * Whether every line of the body was read on its own by the line-based pass (blank, heading or
   * plain task line; no region went to remark): then each item is what its line alone says.
   */
  lineBased: boolean;
}

/** The body's items and headings; `lineBased`: see `BodyScan`. */
export function scanBody(source: string, bodyStart: number, firstLine: number, engine: ScanEngine = 'hybrid'): BodyScan {
  const whole = (): BodyScan => {
    const { items, headings } = scanWithRemark(source, bodyStart, source.length, firstLine);
    return { items, headings, lineBased: false };
  };
  if (engine === 'remark' || /\r(?!\n)/.test(source.slice(bodyStart))) return whole();

  // Lines of the body: [start, end) without the line ending, next = start of the next line.
  const starts: number[] = [];
  const ends: number[] = [];
  const nexts: number[] = [];
  for (let at = bodyStart; at < source.length; ) {
    const end = lineEndAt(source, at);
    const next = end === source.length ? end : source.indexOf('\n', end) + 1;
    starts.push(at);
    ends.push(end);
    nexts.push(next);
    at = next;
  }
  const n = starts.length;
  const kinds: LineKind[] = new Array<LineKind>(n);
  for (let i = 0; i < n; i++) {
    const text = source.slice(starts[i]!, ends[i]!);
    kinds[i] = classifyLine(text, starts[i]!, firstLine + i);
    if (kinds[i]!.kind === 'other' && text.includes(']:')) return whole();
  }

  const out: BodyScan = { items: [], headings: [], lineBased: false };
  const emitFast = (i: number): void => {
    const k = kinds[i]!;
    if (k.kind === 'task') out.items.push(k.item);
    else if (k.kind === 'heading') out.headings.push(k.heading);
  };
  const parse = (from: number, to: number): RemarkScan => scanWithRemark(source, starts[from]!, nexts[to]!, firstLine + from);

  let floor = 0; // first line not yet emitted
  let i = 0;
  while (i < n) {
    if (kinds[i]!.kind !== 'other') {
      i++;
      continue;
    }
    // Where the region starts: the task line just above (through blank lines) may own this line.
    let s = i;
    let j = i - 1;
    while (j >= floor && kinds[j]!.kind === 'blank') j--;
    if (j >= floor && kinds[j]!.kind === 'task') s = j;
    for (let k = floor; k < s; k++) emitFast(k);

    let last = i; // last line known to be in the region
    let failures = 0;
    for (;;) {
      let c = last + 1;
      while (c < n && (kinds[c]!.kind === 'other' || kinds[c]!.kind === 'blank')) c++;
      if (c >= n) {
        append(out, parse(s, n - 1), Infinity);
        floor = i = n;
        break;
      }
      const region = parse(s, c);
      if (confirms(region, kinds[c]!, starts[c]! - starts[s]!)) {
        append(out, region, starts[c]!);
        floor = i = c;
        break;
      }
      // The candidate line belongs to the region (an open fence, HTML block…): grow, geometrically
      // after a few misses so a long swallowed stretch costs a bounded number of parses.
      failures++;
      last = failures > 2 ? Math.min(n - 1, Math.max(c, s + 2 * (c - s))) : c;
    }
  }
  for (let k = floor; k < n; k++) emitFast(k);
  out.lineBased = kinds.every((k) => k.kind !== 'other');
  return out;
}

/** Items and headings of a region parse that start before `limit`. */
function append(out: Scan, region: RemarkScan, limit: number): void {
  for (const item of region.items) if (item.start < limit) out.items.push(item);
  for (const h of region.headings) if (h.start < limit) out.headings.push(h);
}

/**
 * Does remark, on the region plus the candidate line, start a top-level block at the candidate
 * (at `relative`, its offset in the parsed text) and read it exactly as the line-based pass did?
 */
function confirms(region: RemarkScan, candidate: LineKind, relative: number): boolean {
  if (candidate.kind === 'heading') {
    const top = region.tree.children.find((node) => node.position?.start.offset === relative);
    const mine = region.headings.find((h) => h.start === candidate.heading.start);
    return top?.type === 'heading' && mine !== undefined && mine.text === candidate.heading.text && mine.depth === candidate.heading.depth;
  }
  if (candidate.kind === 'task') {
    const startsList = region.tree.children.some(
      (node) => node.type === 'list' && node.children.some((li) => li.position?.start.offset === relative),
    );
    const mine = region.items.find((it) => it.start === candidate.item.start);
    return startsList && mine !== undefined && sameItem(mine, candidate.item);
  }
  return false;
}

function sameItem(a: RawItem, b: RawItem): boolean {
  return (
    a.start === b.start &&
    a.line === b.line &&
    a.checked === b.checked &&
    a.checkAt === b.checkAt &&
    a.code?.value === b.code?.value &&
    a.code?.multiline === b.code?.multiline &&
    a.restStart === b.restStart &&
    a.paraEnd === b.paraEnd &&
    a.inBlockquote === b.inBlockquote &&
    a.harness.length === b.harness.length &&
    a.harness.every((h, k) => h.start === b.harness[k]!.start && h.end === b.harness[k]!.end)
  );
}

export type { RawHeading, RawItem, Scan };
