/**
 * The fit check of every request, before anything is sent (docs/context.md, "The fit check"): the
 * model's window holds input and output together, so system + every block of the message (the
 * codebase or the map and the group's files, the earlier stages' files, the plan, the request) +
 * `max_tokens` must be at most the window. Input is counted block by block with the shared token
 * estimate, as usage is billed.
 */
import { HarnessError } from '../shared/errors.js';
import { estimateTokens } from '../shared/tokens.js';
import type { BatchRequest } from './build.js';

export interface RequestSize {
  customId: string;
  /** Input tokens: the system prompt and every block. */
  input: number;
  maxTokens: number;
  /** Each part of the input: a label (the block's heading) and its tokens. */
  parts: { label: string; tokens: number }[];
}

/** The label of a block: its first line without `#` (the request block, which comes last, is "the request"). */
function labelOf(text: string, last: boolean): string {
  if (last) return 'the request';
  const first = text
    .split('\n', 1)[0]!
    .replace(/^#+\s*/, '')
    .trim();
  return first.length > 40 ? `${first.slice(0, 39)}…` : first || 'a block';
}

/** The size of one request as the fit check counts it. */
function requestSize(req: BatchRequest): RequestSize {
  const parts = [{ label: 'system prompt', tokens: estimateTokens(req.params.system) }];
  for (const message of req.params.messages) {
    const content = message.content;
    if (typeof content === 'string') {
      parts.push({ label: 'the request', tokens: estimateTokens(content) });
      continue;
    }
    content.forEach((block, i) => {
      const text = block.type === 'text' ? block.text : JSON.stringify(block);
      parts.push({ label: labelOf(text, i === content.length - 1), tokens: estimateTokens(text) });
    });
  }
  return { customId: req.custom_id, input: parts.reduce((n, p) => n + p.tokens, 0), maxTokens: req.params.max_tokens, parts };
}

/** The request that overflows the window by the most (input + max_tokens − window), or null when every one fits. */
export function worstOverflow(requests: readonly BatchRequest[], window: number): RequestSize | null {
  let worst: RequestSize | null = null;
  for (const req of requests) {
    const size = requestSize(req);
    const over = size.input + size.maxTokens - window;
    if (over > 0 && (!worst || over > worst.input + worst.maxTokens - window)) worst = size;
  }
  return worst;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export interface FitErrorOptions {
  modelId: string;
  window: number;
  /** The context mode the requests were built in. */
  mode: 'full' | 'map';
  /** The config's `context.mode`. */
  setting: 'auto' | 'full' | 'map';
  /** Expected output tokens of the overflowing request (its tasks' estimates). */
  expectedOutput: number;
}

/**
 * CONTEXT_TOO_LARGE (exit 2) for a request that does not fit: its parts with their tokens, then
 * what to do. When the input fits and `max_tokens` is what tips it over, it says so and names the
 * largest `maxTokens` that fits (if the request's expected output fits under it).
 */
export function fitError(size: RequestSize, o: FitErrorOptions): HarnessError {
  const total = size.input + size.maxTokens;
  const breakdown = size.parts.map((p) => `${p.label} ~${fmt(p.tokens)}`).join(', ');
  const head =
    `request ${size.customId} does not fit ${o.modelId}'s context window: ~${fmt(size.input)} tokens of input (${breakdown}) ` +
    `+ max_tokens ${fmt(size.maxTokens)} = ${fmt(total)} > ${fmt(o.window)} (over by ${fmt(total - o.window)}; input and output share the window)`;
  const room = o.window - size.input;
  const hints: string[] = [];
  let detail = '';
  if (room > 0) {
    detail = `\nmax_tokens ${fmt(size.maxTokens)} leaves ${fmt(o.window - size.maxTokens)} tokens of the window for input, and this request's input is ~${fmt(size.input)}`;
    if (room >= o.expectedOutput) {
      hints.push(`lower \`maxTokens\` to at most ${fmt(room)} (this request expects ~${fmt(o.expectedOutput)} tokens of output)`);
    }
  }
  if (o.mode === 'full') {
    const to = o.setting === 'full' ? "'auto' or 'map'" : "'map'";
    hints.push(`set \`context.mode\` to ${to} so that each request sees a map of the repo and its group's files in full`);
  }
  hints.push('leave files out of the context (`exclude` in harness.config, or .harnessignore)');
  return new HarnessError('CONTEXT_TOO_LARGE', head + detail, { hint: hints.join('; or ') });
}
