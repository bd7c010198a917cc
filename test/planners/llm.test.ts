import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { extractTaskList, planWithModel, plannerCeilingUsd, type PlannerClient, type PlannerParams } from '../../src/planners/llm.js';
import { resolveModel } from '../../src/models/models.js';
import { buildRequest } from '../../src/requests/build.js';
import { loadTemplates } from '../../src/requests/templates.js';
import { HarnessError } from '../../src/shared/errors.js';

const templates = await loadTemplates();
const context = { text: '<<<FILE package.json>>>\n{}\n<<<END package.json>>>\n' };
const usage: Anthropic.Messages.Usage = {
  input_tokens: 10,
  output_tokens: 20,
  cache_creation_input_tokens: 100,
  cache_read_input_tokens: 0,
  cache_creation: null,
  inference_geo: null,
  server_tool_use: null,
  service_tier: 'standard',
} as unknown as Anthropic.Messages.Usage;

function fakeClient(reply: string | Error, stopReason: Anthropic.Messages.StopReason = 'end_turn') {
  const calls: PlannerParams[] = [];
  const client: PlannerClient = {
    messages: {
      stream(params) {
        calls.push(params);
        return {
          async finalMessage() {
            if (reply instanceof Error) throw reply;
            return {
              id: 'msg_1',
              type: 'message',
              role: 'assistant',
              model: params.model,
              content: [{ type: 'text', text: reply, citations: null }],
              stop_reason: stopReason,
              stop_sequence: null,
              usage,
            } as unknown as Anthropic.Messages.Message;
          },
        };
      },
    },
  };
  return { client, calls };
}

const options = {
  context,
  spec: 'Build a blog with users and posts.\n',
  specFile: 'spec.md',
  templates,
  model: 'claude-opus-4-8',
  maxTokens: 16_000,
};

async function caught(p: Promise<unknown>): Promise<HarnessError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a HarnessError');
}

const GOOD =
  '# Blog\n\n## Models\n\n- [ ] `src/user.ts` — User entity\n- [ ] `src/post.ts` — Post entity\n\n## Routes\n\n- [ ] `src/routes.ts` — HTTP routes\n';

describe('planWithModel', () => {
  it("one streaming call whose prefix is the batch requests' prefix; returns the plan and usage", async () => {
    const { client, calls } = fakeClient(GOOD);
    const { plan, usage: u } = await planWithModel(client, options);
    expect(plan).toEqual({
      title: 'Blog',
      groups: [
        {
          heading: 'Models',
          tasks: [
            { path: 'src/user.ts', description: 'User entity' },
            { path: 'src/post.ts', description: 'Post entity' },
          ],
        },
        { heading: 'Routes', tasks: [{ path: 'src/routes.ts', description: 'HTTP routes' }] },
      ],
    });
    expect(u).toBe(usage);
    expect(calls).toHaveLength(1);
    const params = calls[0]!;
    expect(params.model).toBe('claude-opus-4-8');
    expect(params.max_tokens).toBe(16_000);
    const batch = buildRequest(
      {
        customId: 't1-1',
        tasks: [
          {
            id: 't1',
            status: 'pending',
            attempts: 0,
            batch: null,
            reason: null,
            path: 'a.ts',
            description: '',
            group: '',
            stage: 1,
            checked: false,
            line: 1,
          },
        ],
        expectedOutputTokens: 1,
      },
      { context, templates, model: 'claude-opus-4-8', maxTokens: 100_000, existingPaths: new Set() },
    );
    expect(params.system).toBe(batch.params.system);
    const content = params.messages[0]!.content as { text: string; cache_control?: unknown }[];
    expect(JSON.stringify(content[0])).toBe(JSON.stringify((batch.params.messages[0]!.content as unknown[])[0]));
    expect(content[0]!.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    const prompt = content[1]!.text.split('\n');
    const at = prompt.indexOf('## Spec');
    expect(at).toBeGreaterThan(0);
    expect(
      prompt
        .slice(at + 1)
        .join('\n')
        .trim(),
    ).toBe(options.spec.trim());
  });

  it('takes the list out of a code fence with prose around it', async () => {
    const reply = `Sure! Here is the plan:\n\n\`\`\`markdown\n${GOOD}\`\`\`\n\nLet me know if you want changes.\n`;
    const { plan } = await planWithModel(fakeClient(reply).client, options);
    expect(plan.groups.flatMap((g) => g.tasks.map((t) => t.path))).toEqual(['src/user.ts', 'src/post.ts', 'src/routes.ts']);
  });

  it('drops prose before the first heading of an unfenced list', async () => {
    const { plan } = await planWithModel(fakeClient(`Here you go.\nThe plan has three files.\n\n${GOOD}`).client, options);
    expect(plan.title).toBe('Blog');
    expect(plan.groups).toHaveLength(2);
  });

  it('an invalid plan is BAD_MODEL with the line of the reply and a hint to edit task-list.md', async () => {
    const reply = `Plan:\n\n${GOOD}- [ ] \`src/user.ts\` — again\n`;
    const e = await caught(planWithModel(fakeClient(reply).client, options));
    expect(e.code).toBe('BAD_MODEL');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('duplicate path');
    expect(e.file).toBe('spec.md (planner reply)');
    expect(reply.split('\n')[e.line! - 1]).toBe('- [ ] `src/user.ts` — again');
    expect(e.hint).toContain('task-list.md');

    const unsafe = await caught(planWithModel(fakeClient('# P\n\n- [ ] `/etc/passwd` — no\n').client, options));
    expect(unsafe.code).toBe('BAD_MODEL');
    expect(unsafe.message).toContain('unsafe path');
  });

  it('a reply with no task line is BAD_MODEL', async () => {
    const e = await caught(planWithModel(fakeClient('I cannot plan this without more details.').client, options));
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain('no task lines');
  });

  it('stop_reason max_tokens is BAD_MODEL "plan cut at max_tokens" with a hint to raise syncMaxTokens', async () => {
    const e = await caught(planWithModel(fakeClient(GOOD, 'max_tokens').client, options));
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain('plan cut at max_tokens');
    expect(e.hint).toContain('syncMaxTokens');
  });

  it('an API failure becomes an API error (exit 1)', async () => {
    const e = await caught(planWithModel(fakeClient(new Error('socket hang up')).client, options));
    expect(e.code).toBe('API');
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain('socket hang up');
  });
});

/** One scripted attempt: a reply, or an error thrown after (`started`) or before the answer began. */
type Attempt = { reply: string } | { error: Error; started?: boolean };

const message = (text: string, u: Anthropic.Messages.Usage = usage): Anthropic.Messages.Message =>
  ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-opus-4-8',
    content: [{ type: 'text', text, citations: null }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: u,
  }) as unknown as Anthropic.Messages.Message;

function scriptedClient(attempts: Attempt[]) {
  const calls: PlannerParams[] = [];
  const client: PlannerClient = {
    messages: {
      stream(params) {
        calls.push(params);
        const a = attempts[calls.length - 1]!;
        let onText: ((d: string) => void) | undefined;
        const started = 'error' in a && a.started;
        return {
          on(_event: 'text', listener: (delta: string) => void) {
            onText = listener;
            return this;
          },
          // What message_start reported, for an attempt cut after the answer began.
          get currentMessage() {
            return started ? message('', { ...usage, output_tokens: 1 }) : undefined;
          },
          async finalMessage() {
            if ('error' in a) {
              if (a.started) onText?.('# Blog\n\n## Models\n\n- [ ] `src/us');
              throw a.error;
            }
            return message(a.reply);
          },
        };
      },
    },
  };
  return { client, calls };
}

const overloaded = () =>
  new Anthropic.APIError(undefined, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'Overloaded', undefined);
const status = (code: number, type: string) =>
  Anthropic.APIError.generate(code, { type: 'error', error: { type, message: type } }, type, new Headers());

describe('planWithModel: secrets, retries, budget', () => {
  it('a secret in the spec stops before any call: SECRET_FOUND naming spec:line, never the secret', async () => {
    const key = ['sk', '_live_', 'Zq8vL2mN4pR6tW1xY3bC5dF7'].join('');
    const { client, calls } = fakeClient(GOOD);
    const e = await caught(planWithModel(client, { ...options, specFile: '../elsewhere/spec.md', spec: `# Shop\n\nCharge cards with ${key}.\n` }));
    expect(e.code).toBe('SECRET_FOUND');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('../elsewhere/spec.md:3: Stripe live secret key');
    expect(`${e.message}${e.hint}`).not.toContain(key);
    expect(calls).toEqual([]);
    // Allowed by the config: the call goes ahead.
    await planWithModel(client, { ...options, spec: `key ${key}\n`, secrets: { allow: ['spec.md:1'], env: {} } });
    expect(calls).toHaveLength(1);
  });

  it('an overloaded_error mid-stream is retried from scratch after a wait; the cut attempt is counted in the usage', async () => {
    const { client, calls } = scriptedClient([{ error: overloaded(), started: true }, { reply: GOOD }]);
    const waits: number[] = [];
    const { plan, usage: u } = await planWithModel(client, { ...options, sleep: async (ms) => void waits.push(ms) });
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(calls[0]);
    expect(waits).toEqual([2_000]);
    expect(plan.groups.flatMap((g) => g.tasks.map((t) => t.path))).toEqual(['src/user.ts', 'src/post.ts', 'src/routes.ts']);
    // The final attempt's usage plus the cut one's (its input, and the output received).
    expect(u.input_tokens).toBe(2 * usage.input_tokens);
    expect(u.cache_creation_input_tokens).toBe(2 * usage.cache_creation_input_tokens!);
    expect(u.output_tokens).toBeGreaterThan(usage.output_tokens);
  });

  it('a 429 or 529 that outlasted the SDK retries is retried (not billed); a permanent error is not', async () => {
    const retried = scriptedClient([{ error: status(429, 'rate_limit_error') }, { error: status(529, 'overloaded_error') }, { reply: GOOD }]);
    const r = await planWithModel(retried.client, { ...options, sleep: async () => {} });
    expect(retried.calls).toHaveLength(3);
    expect(r.usage.input_tokens).toBe(usage.input_tokens);

    const invalid = scriptedClient([{ error: status(400, 'invalid_request_error') }, { reply: GOOD }]);
    const e = await caught(planWithModel(invalid.client, { ...options, sleep: async () => {} }));
    expect(e.code).toBe('API');
    expect(invalid.calls).toHaveLength(1);
  });

  it('gives up after three attempts with the API error (exit 1)', async () => {
    const { client, calls } = scriptedClient([
      { error: overloaded(), started: true },
      { error: overloaded() },
      { error: overloaded(), started: true },
      { reply: GOOD },
    ]);
    const e = await caught(planWithModel(client, { ...options, sleep: async () => {} }));
    expect(calls).toHaveLength(3);
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/overloaded_error/);
  });

  it('runs the check before every attempt, and a refusal stops before the call', async () => {
    const { client, calls } = scriptedClient([{ error: overloaded(), started: true }, { reply: GOOD }]);
    const seen: number[] = [];
    const stop = new Error('over budget');
    await expect(
      planWithModel(client, {
        ...options,
        sleep: async () => {},
        beforeAttempt: async (n) => {
          seen.push(n);
          if (n === 2) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    expect(seen).toEqual([1, 2]);
    expect(calls).toHaveLength(1);
  });

  it('the ceiling of the call: input (cached block as a 1h write) + max_tokens at standard prices', () => {
    const opus = resolveModel('claude-opus-4-8');
    const low = plannerCeilingUsd(opus, { ...options, maxTokens: 1_000 });
    const high = plannerCeilingUsd(opus, { ...options, maxTokens: 11_000 });
    expect(high - low).toBeCloseTo((10_000 * 25) / 1_000_000, 6); // output at $25/M, no batch discount
    expect(low).toBeGreaterThan((1_000 * 25) / 1_000_000);
  });
});

describe('extractTaskList', () => {
  it('returns the reply from its first heading or task line, with the offset', () => {
    expect(extractTaskList('intro\n\n- [ ] `a.ts`\n')).toEqual({ text: '- [ ] `a.ts`\n', lineOffset: 2 });
    expect(extractTaskList('~~~\n# T\n- [x] `a.ts`\n~~~\n')).toEqual({ text: '# T\n- [x] `a.ts`\n', lineOffset: 1 });
    expect(extractTaskList('```js\nconst x = 1;\n```\n# T\n- [ ] `a.ts`\n')).toEqual({ text: '# T\n- [ ] `a.ts`\n', lineOffset: 3 });
  });
});
