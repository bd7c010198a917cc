/** What the scanners (line-based and remark) find in the Markdown body; offsets are into the whole file. */

export interface RawItem {
  /** Offset where the list item starts (orders items and headings). */
  start: number;
  /** 1-based line of the list item in the whole file. */
  line: number;
  checked: boolean;
  /** Offset of the character between the checkbox brackets. */
  checkAt: number;
  /** The first inline-code span of the item's first paragraph. */
  code: { value: string; multiline: boolean } | null;
  /** The description is the source from `restStart` to `paraEnd`, minus the harness comments. */
  restStart: number;
  paraEnd: number;
  /** Harness comments (`<!-- harness: … -->`) that are direct children of the first paragraph. */
  harness: { start: number; end: number }[];
  inBlockquote: boolean;
}

export interface RawHeading {
  start: number;
  /** 1 for `#`, 2 for `##`… */
  depth: number;
  /** Plain text of the heading, whitespace collapsed. */
  text: string;
}

export interface Scan {
  items: RawItem[];
  headings: RawHeading[];
}

export const headingText = (s: string): string => s.replace(/[ \t\r\n]+/g, ' ').trim();
