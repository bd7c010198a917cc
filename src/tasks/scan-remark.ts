/**
 * The reference scanner: remark + remark-gfm (parse only, mdast positions). Everything the
 * line-based scanner claims about a line must agree with what this one finds.
 */
import type { Heading, ListItem, Nodes, Paragraph, PhrasingContent, Root } from 'mdast';
import type { remark as Remark } from 'remark';
import type remarkGfmPlugin from 'remark-gfm';
import { HarnessError } from '../shared/errors.js';
import { HARNESS_COMMENT_START } from './bookkeeping.js';
import { lazy } from '../shared/lazy.js';
import { headingText, type RawHeading, type RawItem, type Scan } from './scan-types.js';

const remarkModule = lazy<{ remark: typeof Remark }>('remark');
const gfmModule = lazy<{ default: typeof remarkGfmPlugin }>('remark-gfm');
let frozen: ReturnType<ReturnType<typeof Remark>['freeze']> | null = null;
/** Built on first use: plain task lists never load remark. */
const processor = () => (frozen ??= remarkModule().remark().use(gfmModule().default).freeze());

export interface RemarkScan extends Scan {
  tree: Root;
}

/**
 * Scans `source.slice(from, to)` as a Markdown document of its own. `from` must be the start of a
 * line (or the body start) and `firstLine` its 1-based line in the whole file.
 */
export function scanWithRemark(source: string, from: number, to: number, firstLine: number): RemarkScan {
  const tree = processor().parse(source.slice(from, to));
  const items: RawItem[] = [];
  const headings: RawHeading[] = [];
  const visit = (node: Nodes, inBlockquote: boolean): void => {
    if (node.type === 'heading') headings.push({ start: from + offsetOf(node, 'start'), depth: node.depth, text: headingText(plainText(node)) });
    if (node.type === 'listItem' && typeof node.checked === 'boolean') items.push(toItem(node, inBlockquote));
    if ('children' in node) {
      const inside = inBlockquote || node.type === 'blockquote';
      for (const child of node.children) visit(child, inside);
    }
  };

  const toItem = (node: ListItem, inBlockquote: boolean): RawItem => {
    const start = from + offsetOf(node, 'start');
    const bracket = source.indexOf('[', start);
    if (bracket === -1 || !/^\[[ \txX]\]$/.test(source.slice(bracket, bracket + 3))) {
      throw new HarnessError('INTERNAL', `cannot find the checkbox of the task on line ${firstLine + node.position!.start.line - 1}`);
    }
    const first = node.children[0];
    const para: Paragraph | null = first?.type === 'paragraph' ? first : null;
    const found = para ? firstInlineCode(para) : null;
    const paraEnd = para ? from + offsetOf(para, 'end') : start;
    const harness = para
      ? para.children
          .filter((c) => c.type === 'html' && HARNESS_COMMENT_START.test(c.value))
          .map((c) => ({ start: from + offsetOf(c, 'start'), end: from + offsetOf(c, 'end') }))
      : [];
    return {
      start,
      line: firstLine + node.position!.start.line - 1,
      checked: node.checked === true,
      checkAt: bracket + 1,
      code: found ? { value: found.code.value, multiline: found.code.position!.start.line !== found.code.position!.end.line } : null,
      restStart: found ? from + offsetOf(found.container, 'end') : paraEnd,
      paraEnd,
      harness,
      inBlockquote,
    };
  };

  visit(tree, false);
  return { tree, items, headings };
}

/** The first inline code of a paragraph (depth first) and the paragraph child that holds it. */
function firstInlineCode(para: Paragraph): { code: Extract<PhrasingContent, { type: 'inlineCode' }>; container: PhrasingContent } | null {
  const find = (node: Nodes): Extract<PhrasingContent, { type: 'inlineCode' }> | null => {
    if (node.type === 'inlineCode') return node;
    if ('children' in node) {
      for (const child of node.children) {
        const hit = find(child);
        if (hit) return hit;
      }
    }
    return null;
  };
  for (const child of para.children) {
    const code = find(child);
    if (code) return { code, container: child };
  }
  return null;
}

/** mdast-util-to-string's rules: values, image alts, then children. */
function plainText(node: Nodes | Heading): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('alt' in node && typeof node.alt === 'string' && node.alt) return node.alt;
  if ('children' in node) return node.children.map((c) => plainText(c)).join('');
  return '';
}

function offsetOf(node: Nodes, side: 'start' | 'end'): number {
  const offset = node.position?.[side].offset;
  if (offset === undefined) throw new HarnessError('INTERNAL', `remark gave a ${node.type} without a position`);
  return offset;
}
