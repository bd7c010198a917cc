/**
 * Cache breakpoint placement. The API accepts at most 4 `cache_control` breakpoints per request.
 * The cached blocks of a request are ordered from the most shared (the repo map or the codebase,
 * sent in every request) to the least shared (a group's own files); each breakpoint ends a prefix
 * that the requests sharing it read from the cache. When there are more cached blocks than
 * breakpoints, the least useful breakpoint goes first: one whose block is shared by exactly the
 * requests that share the next breakpoint's block (the later breakpoint caches the same requests;
 * only a change of the later block alone is lost), the smallest such segment first; failing that,
 * the breakpoint ending the smallest segment. The last cached block always keeps its breakpoint.
 */

/** The API's limit of cache_control breakpoints in one request. */
export const MAX_CACHE_BREAKPOINTS = 4;

export interface CachedBlockInfo {
  /** How many requests send this block with everything before it (the prefix it ends). */
  shared: number;
  tokens: number;
}

/** Which of `blocks` (in request order) carry a breakpoint: at most `max`, the last always. */
export function placeBreakpoints(blocks: readonly CachedBlockInfo[], max = MAX_CACHE_BREAKPOINTS): boolean[] {
  const on = blocks.map(() => true);
  let count = blocks.length;
  while (count > max) {
    const kept = on.map((b, i) => (b ? i : -1)).filter((i) => i >= 0);
    // Segment of breakpoint k: the tokens from the previous breakpoint to it.
    const segment = (k: number) => {
      let tokens = 0;
      for (let i = (kept[k - 1] ?? -1) + 1; i <= kept[k]!; i++) tokens += blocks[i]!.tokens;
      return tokens;
    };
    let drop = -1;
    let dropRedundant = false;
    let dropTokens = Number.POSITIVE_INFINITY;
    for (let k = 0; k < kept.length - 1; k++) {
      const redundant = blocks[kept[k]!]!.shared === blocks[kept[k + 1]!]!.shared;
      const tokens = segment(k);
      const better = redundant !== dropRedundant ? redundant : tokens < dropTokens;
      if (drop === -1 || better) {
        drop = kept[k]!;
        dropRedundant = redundant;
        dropTokens = tokens;
      }
    }
    on[drop] = false;
    count--;
  }
  return on;
}
