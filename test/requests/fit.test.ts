/** The per-request fit check (requests/fit.ts) and the distinct cached prefixes (requests/prefixes.ts). */
import { describe, expect, it } from 'vitest';
import { pendingTask } from '../helpers/tasks.js';
import { type BatchRequest, buildRequest } from '../../src/requests/build.js';
import { fitError, fitSyncMaxTokens, worstOverflow } from '../../src/requests/fit.js';
import { packTasks } from '../../src/requests/pack.js';
import { cachedPrefixes } from '../../src/requests/prefixes.js';
import { loadTemplates } from '../../src/requests/templates.js';
import { resolveModel } from '../../src/models/models.js';
import { HarnessError } from '../../src/shared/errors.js';
import { estimateTokens } from '../../src/shared/tokens.js';

const templates = await loadTemplates();

/** The harness's count of a request's input: the system prompt and every block, each estimated on its own. */
const inputTokens = (params: BatchRequest['params']) =>
  estimateTokens(params.system) + (params.messages[0]!.content as { text: string }[]).reduce((n, b) => n + estimateTokens(b.text), 0);
const task = pendingTask;
const codebase = `# Codebase\n\n${'export const padding = 1;\n'.repeat(400)}`;
const plan = '# The plan\n\n<plan>\n- `a.ts`\n</plan>\n';

function requests(maxTokens: number, tasks = [task(1, 'a.ts'), task(2, 'b.ts')]): BatchRequest[] {
  return packTasks(tasks, { maxTokens: 10_000, safetyMargin: 0, estimate: () => 6_000 }).map((p) =>
    buildRequest(p, { context: { text: codebase }, templates, model: 'claude-opus-4-8', maxTokens, existingPaths: new Set(), plan }),
  );
}

describe('the fit check', () => {
  it('counts the system prompt, every block (each with the shared estimate) and max_tokens', () => {
    const [req] = requests(1_000);
    const input = inputTokens(req!.params);
    expect(worstOverflow([req!], input + 1_000)).toBeNull();
    const over = worstOverflow([req!], input + 999);
    expect(over).toMatchObject({ customId: req!.custom_id, input, maxTokens: 1_000 });
    expect(over!.parts.map((p) => p.label)).toEqual(['system prompt', 'Codebase', 'The plan', 'the request']);
  });

  it('names the request that overflows the most', () => {
    const reqs = requests(1_000, [task(1, 'a.ts'), task(2, `${'very-long-name/'.repeat(30)}b.ts`)]);
    const sizes = reqs.map((r) => inputTokens(r.params));
    const window = Math.min(...sizes) + 1_000;
    expect(worstOverflow(reqs, window)!.customId).toBe(reqs[sizes.indexOf(Math.max(...sizes))]!.custom_id);
  });

  it('max_tokens tipping it over: says so with numbers and names the largest maxTokens that fits', () => {
    const [req] = requests(50_000);
    const input = inputTokens(req!.params);
    const window = input + 20_000;
    const err = fitError(worstOverflow([req!], window)!, { modelId: 'm', window, mode: 'full', setting: 'auto', expectedOutput: 6_000 });
    expect(err).toBeInstanceOf(HarnessError);
    expect(err.code).toBe('CONTEXT_TOO_LARGE');
    expect(err.exitCode).toBe(2);
    const fmt = (n: number) => n.toLocaleString('en-US');
    expect(err.message).toContain(`+ max_tokens 50,000 = ${fmt(input + 50_000)} > ${fmt(window)} (over by 30,000`);
    expect(err.message).toContain(
      `max_tokens 50,000 leaves ${fmt(window - 50_000)} tokens of the window for input, and this request's input is ~${fmt(input)}`,
    );
    expect(err.hint).toContain('lower `maxTokens` to at most 20,000');
    expect(err.hint).toContain("set `context.mode` to 'map'");
  });

  it('input alone over the window: no maxTokens advice, the map and excludes instead', () => {
    const [req] = requests(1_000);
    const input = inputTokens(req!.params);
    const err = fitError(worstOverflow([req!], input - 10)!, {
      modelId: 'm',
      window: input - 10,
      mode: 'full',
      setting: 'full',
      expectedOutput: 6_000,
    });
    expect(err.hint).not.toContain('maxTokens');
    expect(err.hint).toContain("'auto' or 'map'");
    expect(err.hint).toContain('exclude');
  });
});

describe('cachedPrefixes', () => {
  const model = { ...resolveModel('claude-opus-4-8', {}), minCacheTokens: 1024 };
  it('full mode: every request shares one prefix, written once', () => {
    const reqs = requests(1_000, [task(1, 'a.ts'), task(2, 'b.ts'), task(3, 'c.ts')]);
    const p = cachedPrefixes(reqs, model);
    expect(p.count).toBe(1);
    expect(p.writeTokens).toBe(estimateTokens(templates.system) + estimateTokens(codebase) + estimateTokens(plan));
    expect(p.writeUsd).toBeCloseTo((p.writeTokens * model.prices!.input * 2 * 0.5) / 1e6, 10);
  });

  it('a block after the shared ones ends a prefix per distinct block; the shared part is counted once', () => {
    const group = (text: string) => ({ text, shared: 1, tokens: estimateTokens(text) });
    const [a, b, c] = packTasks([task(1, 'a.ts'), task(2, 'b.ts'), task(3, 'c.ts')], { maxTokens: 10_000, safetyMargin: 0, estimate: () => 6_000 });
    const shared = [{ text: codebase, shared: 3, tokens: estimateTokens(codebase) }];
    const build = (p: typeof a, g: string) =>
      buildRequest(p!, {
        context: { text: '' },
        templates,
        model: 'claude-opus-4-8',
        maxTokens: 1_000,
        existingPaths: new Set(),
        prefix: [...shared, group(g)],
      });
    const one = '# Files of this group\n\none\n';
    const two = '# Files of this group\n\ntwo, longer\n';
    const p = cachedPrefixes([build(a, one), build(b, two), build(c, one)], model);
    expect(p.count).toBe(2);
    expect(p.writeTokens).toBe(estimateTokens(templates.system) + estimateTokens(codebase) + estimateTokens(one) + estimateTokens(two));
  });
});

describe('fitSyncMaxTokens: a synchronous call fits the window with its max_tokens', () => {
  it('keeps syncMaxTokens when input and it fit', () => {
    expect(fitSyncMaxTokens(10_000, 8_000, 200_000, 'refine of a.ts', 'm')).toEqual({ maxTokens: 8_000, cut: false });
    expect(fitSyncMaxTokens(192_000, 8_000, 200_000, 'refine of a.ts', 'm')).toEqual({ maxTokens: 8_000, cut: false });
  });
  it('lowers it to what the window leaves, and says it did', () => {
    expect(fitSyncMaxTokens(30_000, 128_000, 40_000, 'refine of a.ts', 'm')).toEqual({ maxTokens: 10_000, cut: true });
  });
  it('refuses before sending when the window leaves too little output', () => {
    const call = () => fitSyncMaxTokens(38_000, 128_000, 40_000, 'refine of a.ts', 'claude-x');
    expect(call).toThrow(HarnessError);
    expect(call).toThrow(/refine of a\.ts does not fit claude-x's context window: ~38,000 tokens of input leave 2,000/);
    try {
      call();
    } catch (e) {
      expect((e as HarnessError).code).toBe('CONTEXT_TOO_LARGE');
    }
  });
});
