/**
 * `GET /v1/models` and `GET /v1/models/{id}` in the shape of the SDK's `ModelInfo` (1.13): window
 * (`max_input_tokens`), standard ceiling (`max_tokens`), lifecycle with `deprecated_at` /
 * `retires_at`, and capabilities (batch, thinking types, …). Retired models are still served here
 * (the catalogue keeps them as the record of their retirement) but left out of the list unless
 * `lifecycle[]=retired` is asked for, as the API does.
 */
import { invalid, notFound } from './api-errors.js';
import { catalogue, type EmulatedModel, type EmulatedModels, findModel, type Lifecycle } from './model-facts.js';

const yes = (supported: boolean) => ({ supported });

/** One model as the Models API answers it. */
function modelInfo(m: EmulatedModel) {
  return {
    type: 'model' as const,
    id: m.id,
    display_name: m.displayName,
    created_at: m.createdAt,
    line: m.line,
    lifecycle: m.lifecycle,
    deprecated_at: m.lifecycle === 'active' ? null : (m.deprecatedAt ?? m.createdAt),
    retires_at: m.lifecycle === 'active' ? null : m.retiresAt,
    max_input_tokens: m.contextWindow,
    max_tokens: m.maxTokens,
    capabilities: {
      batch: yes(m.batch),
      citations: yes(true),
      code_execution: yes(false),
      context_management: { supported: false, clear_thinking_20251015: null, clear_tool_uses_20250919: null, compact_20260112: null },
      effort: { supported: false, low: yes(false), medium: yes(false), high: yes(false), max: yes(false), xhigh: null },
      image_input: yes(true),
      pdf_input: yes(true),
      server_tools: { supported: false, code_execution: yes(false), web_search: yes(false) },
      structured_outputs: yes(true),
      thinking: {
        supported: m.thinking.enabled || m.thinking.adaptive,
        types: { enabled: yes(m.thinking.enabled), adaptive: yes(m.thinking.adaptive), disabled: yes(true), between_tools: yes(false) },
      },
    },
  };
}

/** `GET /v1/models/{id}`: the model (an alias resolves to it), or 404 not_found_error. */
export function retrieveModel(id: string, models: EmulatedModels) {
  const m = findModel(id, models);
  if (!m) throw notFound(`model: ${id}`);
  return modelInfo(m);
}

const LIFECYCLES = new Set<Lifecycle>(['active', 'deprecated', 'retired']);

/** `GET /v1/models?limit&after_id&before_id&lifecycle[]=…`: a page, newest first. */
export function listModels(url: URL, models: EmulatedModels) {
  const q = url.searchParams;
  const raw = [
    ...q.getAll('lifecycle[]'),
    ...q.getAll('lifecycle'),
    ...[...q.keys()].filter((k) => /^lifecycle\[\d+\]$/.test(k)).flatMap((k) => q.getAll(k)),
  ];
  for (const l of raw) if (!LIFECYCLES.has(l as Lifecycle)) throw invalid(`lifecycle: Input should be 'active', 'deprecated' or 'retired'`);
  const wanted = new Set<string>(raw.length > 0 ? raw : ['active', 'deprecated']);
  const limitRaw = q.get('limit');
  const limit = limitRaw === null || limitRaw === '' ? 20 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit: Input should be an integer between 1 and 1000');
  const all = catalogue(models)
    .filter((m) => wanted.has(m.lifecycle))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const afterId = q.get('after_id');
  const beforeId = q.get('before_id');
  let start = 0;
  let end = all.length;
  if (afterId) start = all.findIndex((m) => m.id === afterId) + 1;
  if (beforeId)
    end = Math.max(
      0,
      all.findIndex((m) => m.id === beforeId),
    );
  let page = all.slice(start, end);
  const more = page.length > limit;
  page = beforeId ? page.slice(-limit) : page.slice(0, limit);
  const data = page.map(modelInfo);
  return { data, has_more: more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
