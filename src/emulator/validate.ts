/**
 * Validation of Messages params as the API does it, with its messages (`field.path: reason`).
 * Used by POST /v1/messages and count_tokens up front (a 400), and for each request of a batch when
 * it is processed (a bad one becomes an `errored` result, as the real API does: at create it only
 * checks the batch's shape, see routes.ts).
 */
import { ApiError, invalid } from './api-errors.js';
import { type EmulatedModel, type EmulatedModels, findModel, OUTPUT_300K } from './model-facts.js';
import type { ResponderParams } from './types.js';

export type ParamsMode = 'batch' | 'sync' | 'count';

export interface ValidateContext {
  mode: ParamsMode;
  /** Betas from the `anthropic-beta` header. */
  betas: readonly string[];
  models: EmulatedModels;
  /** Prefix of field paths in messages, e.g. `requests.3.params.`. */
  prefix?: string;
}

export interface ValidParams {
  params: ResponderParams;
  model: EmulatedModel;
}

const ROLES = new Set(['user', 'assistant', 'system']);

/** The top-level fields of Messages params (SDK 0.x, beta included); any other is refused as the API does. */
const KNOWN_FIELDS = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'temperature',
  'top_k',
  'top_p',
  'stop_sequences',
  'stream',
  'metadata',
  'cache_control',
  'container',
  'context_management',
  'diagnostics',
  'inference_geo',
  'mcp_servers',
  'output_config',
  'output_format',
  'service_tier',
  'speed',
  'compaction',
  'user_profile_id',
  'workspace_id',
  'billing_policy',
  'fallbacks',
  'fallback_credit_token',
  'thread',
]);

/**
 * The fields count_tokens takes (MessageCountTokensParams, SDK beta included): the prompt, not the
 * generation. `max_tokens`, `stream`, `temperature`, `metadata`, `service_tier`… are refused there as
 * the API refuses them, so a harness that counts a request by sending it whole is caught here.
 */
const COUNT_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'cache_control',
  'context_management',
  'mcp_servers',
  'output_config',
  'output_format',
  'speed',
  'compaction',
  'billing_policy',
  'user_profile_id',
  'workspace_id',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseBetas(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The API's answer to a model it does not serve: 404 not_found_error `model: ID` (unknown and retired models alike). */
const modelNotFound = (id: string): ApiError => new ApiError(404, `model: ${id}`);

export function validateParams(body: unknown, ctx: ValidateContext): ValidParams {
  const p = ctx.prefix ?? '';
  const bad = (field: string, reason: string) => invalid(`${p}${field}: ${reason}`);
  if (!isObject(body)) throw invalid(`${p ? p.slice(0, -1) : 'body'}: Input should be an object`);

  const fields = ctx.mode === 'count' ? COUNT_FIELDS : KNOWN_FIELDS;
  for (const key of Object.keys(body)) if (!fields.has(key)) throw bad(key, 'Extra inputs are not permitted');
  if (typeof body.model !== 'string' || body.model === '') throw bad('model', 'Field required');
  const model = findModel(body.model, ctx.models);
  // A batch request for a model nobody serves is refused; a retired one is not found (as in sync).
  if (!model && ctx.mode === 'batch') throw bad('model', `unknown model "${body.model}"`);
  if (!model || model.lifecycle === 'retired') throw modelNotFound(body.model);
  if (ctx.mode === 'batch' && !model.batch) throw bad('model', `${model.id} is not available in the Message Batches API`);

  if (ctx.mode !== 'count') {
    const mt = body.max_tokens;
    if (mt === undefined) throw bad('max_tokens', 'Field required');
    if (typeof mt !== 'number' || !Number.isInteger(mt)) throw bad('max_tokens', 'Input should be a valid integer');
    if (mt < 1) throw bad('max_tokens', 'Input should be greater than or equal to 1');
    const beta = ctx.mode === 'batch' && ctx.betas.includes(OUTPUT_300K);
    if (beta && model.batchBetaMaxTokens === null) {
      throw invalid(`${p}model: the ${OUTPUT_300K} beta is not supported for ${model.id}`);
    }
    const ceiling = beta && model.batchBetaMaxTokens !== null ? model.batchBetaMaxTokens : model.maxTokens;
    if (mt > ceiling) {
      const how = beta ? ` with the ${OUTPUT_300K} beta` : '';
      throw bad('max_tokens', `${mt} > ${ceiling}, which is the maximum allowed number of output tokens for ${model.id}${how}`);
    }
    if (ctx.mode === 'batch' && body.stream !== undefined && body.stream !== false) {
      throw bad('stream', 'streaming is not supported in Message Batches requests');
    }
    validateThinking(body.thinking, mt, model, bad);
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) {
    throw bad('temperature', 'Input should be between 0 and 1');
  }

  const ttls: string[] = [];
  const checkCacheControl = (cc: unknown, field: string) => {
    if (cc === undefined || cc === null) return;
    if (!isObject(cc) || cc.type !== 'ephemeral') throw bad(`${field}.type`, "Input should be 'ephemeral'");
    if (cc.ttl !== undefined && cc.ttl !== '5m' && cc.ttl !== '1h') throw bad(`${field}.ttl`, "Input should be '5m' or '1h'");
    ttls.push(cc.ttl === '1h' ? '1h' : '5m');
  };

  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) throw bad('tools', 'Input should be a valid list');
    body.tools.forEach((t, i) => {
      if (!isObject(t)) throw bad(`tools.${i}`, 'Input should be an object');
      checkCacheControl(t.cache_control, `tools.${i}.cache_control`);
    });
  }

  if (body.system !== undefined) {
    if (Array.isArray(body.system)) {
      body.system.forEach((b, i) => {
        if (!isObject(b) || b.type !== 'text') throw bad(`system.${i}.type`, "Input should be 'text'");
        if (typeof b.text !== 'string') throw bad(`system.${i}.text`, 'Field required');
        checkCacheControl(b.cache_control, `system.${i}.cache_control`);
      });
    } else if (typeof body.system !== 'string') {
      throw bad('system', 'Input should be a valid string or a list of text blocks');
    }
  }

  if (!Array.isArray(body.messages)) throw bad('messages', 'Field required');
  if (body.messages.length === 0) throw bad('messages', 'at least one message is required');
  const last = body.messages.length - 1;
  body.messages.forEach((m, i) => {
    if (!isObject(m)) throw bad(`messages.${i}`, 'Input should be an object');
    if (typeof m.role !== 'string' || !ROLES.has(m.role)) throw bad(`messages.${i}.role`, "Input should be 'user' or 'assistant'");
    const finalAssistant = i === last && m.role === 'assistant';
    const empty = () => invalid(`${p}messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
    if (typeof m.content === 'string') {
      if (m.content === '' && !finalAssistant) throw empty();
      return;
    }
    if (!Array.isArray(m.content)) throw bad(`messages.${i}.content`, 'Input should be a valid string or a list of content blocks');
    if (m.content.length === 0 && !finalAssistant) throw empty();
    m.content.forEach((b, j) => {
      const f = `messages.${i}.content.${j}`;
      if (!isObject(b) || typeof b.type !== 'string') throw bad(`${f}.type`, 'Field required');
      if (b.type === 'text') {
        if (typeof b.text !== 'string') throw bad(`${f}.text`, 'Field required');
        if (b.text === '' && !finalAssistant) throw bad(f, 'text content blocks must be non-empty');
      }
      checkCacheControl(b.cache_control, `${f}.cache_control`);
    });
  });

  checkCacheControl(body.cache_control, 'cache_control');
  if (ttls.length > 4) throw invalid(`${p}A maximum of 4 blocks with cache_control may be provided. Found ${ttls.length}.`);
  const first5m = ttls.indexOf('5m');
  if (first5m >= 0 && ttls.indexOf('1h', first5m) >= 0) {
    throw invalid(`${p}a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block`);
  }

  return { params: body as unknown as ResponderParams, model };
}

const THINKING_TYPES = new Set(['enabled', 'adaptive', 'disabled']);

/** `thinking` as the API checks it: a known type the model accepts; a budget of at least 1024 and below max_tokens. */
function validateThinking(thinking: unknown, maxTokens: number, model: EmulatedModel, bad: (field: string, reason: string) => ApiError): void {
  if (thinking === undefined || thinking === null) return;
  if (!isObject(thinking) || typeof thinking.type !== 'string' || !THINKING_TYPES.has(thinking.type)) {
    throw bad('thinking.type', "Input should be 'enabled', 'adaptive' or 'disabled'");
  }
  if (thinking.display !== undefined && thinking.display !== null && thinking.display !== 'summarized' && thinking.display !== 'omitted') {
    throw bad(`thinking.${thinking.type}.display`, "Input should be 'summarized' or 'omitted'");
  }
  if (thinking.type === 'enabled') {
    if (!model.thinking.enabled) throw bad('thinking.type', `'enabled' is not supported for ${model.id}; use 'adaptive'`);
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) {
      throw bad('thinking.enabled.budget_tokens', 'Input should be greater than or equal to 1024');
    }
    if (budget >= maxTokens) throw bad('max_tokens', 'must be greater than thinking.budget_tokens');
  } else if (thinking.type === 'adaptive' && !model.thinking.adaptive) {
    throw bad('thinking.type', `'adaptive' is not supported for ${model.id}`);
  }
}
