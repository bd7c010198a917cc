import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { extractTaskList, planWithModel, type PlannerClient, type PlannerParams } from '../../src/planners/llm.js';
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

const options = { context, spec: 'Build a blog with users and posts.\n', specFile: 'spec.md', templates, model: 'claude-opus-4-8', maxTokens: 16_000 };

async function caught(p: Promise<unknown>): Promise<HarnessError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('expected a HarnessError');
}

const GOOD = '# Blog\n\n## Models\n\n- [ ] `src/user.ts` — User entity\n- [ ] `src/post.ts` — Post entity\n\n## Routes\n\n- [ ] `src/routes.ts` — HTTP routes\n';

describe('planWithModel', () => {
  it('one streaming call whose prefix is the batch requests\' prefix; returns the plan and usage', async () => {
    const { client, calls } = fakeClient(GOOD);
    const { plan, usage: u } = await planWithModel(client, options);
    expect(plan).toEqual({
      title: 'Blog',
      groups: [
        { heading: 'Models', tasks: [{ path: 'src/user.ts', description: 'User entity' }, { path: 'src/post.ts', description: 'Post entity' }] },
        { heading: 'Routes', tasks: [{ path: 'src/routes.ts', description: 'HTTP routes' }] },
      ],
    });
    expect(u).toBe(usage);
    expect(calls).toHaveLength(1);
    const params = calls[0]!;
    expect(params.model).toBe('claude-opus-4-8');
    expect(params.max_tokens).toBe(16_000);
    const batch = buildRequest(
      { customId: 't1-1', tasks: [{ id: 't1', status: 'pending', attempts: 0, batch: null, reason: null, path: 'a.ts', description: '', group: '', checked: false, line: 1 }], expectedOutputTokens: 1 },
      { context, templates, model: 'claude-opus-4-8', maxTokens: 100_000, existingPaths: new Set() },
    );
    expect(params.system).toBe(batch.params.system);
    const content = params.messages[0]!.content as { text: string; cache_control?: unknown }[];
    expect(JSON.stringify(content[0])).toBe(JSON.stringify((batch.params.messages[0]!.content as unknown[])[0]));
    expect(content[0]!.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    const prompt = content[1]!.text.split('\n');
    const at = prompt.indexOf('## Spec');
    expect(at).toBeGreaterThan(0);
    expect(prompt.slice(at + 1).join('\n').trim()).toBe(options.spec.trim());
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

describe('extractTaskList', () => {
  it('returns the reply from its first heading or task line, with the offset', () => {
    expect(extractTaskList('intro\n\n- [ ] `a.ts`\n')).toEqual({ text: '- [ ] `a.ts`\n', lineOffset: 2 });
    expect(extractTaskList('~~~\n# T\n- [x] `a.ts`\n~~~\n')).toEqual({ text: '# T\n- [x] `a.ts`\n', lineOffset: 1 });
    expect(extractTaskList('```js\nconst x = 1;\n```\n# T\n- [ ] `a.ts`\n')).toEqual({ text: '# T\n- [ ] `a.ts`\n', lineOffset: 3 });
  });
});
