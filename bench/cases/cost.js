// Case 6: cost of the demo job (examples/microservice: `init --planner llm --spec spec.md`, then
// `run`, as scripts/demo.js does) against naive synchronous per-file calls without caching, from
// the harness's own report (`harness status --json`: cost_usd vs naive_sync_cost_usd). Targets:
// ≤ 0.45×, and ≥ 95 % of the context tokens of the requests after the first write of each prefix
// read from the cache (cacheAfterFirstWrite below); the overall share (`cache_read_share`, the
// first writes included) is an information row.
// The same job runs a second time on a bigger codebase (the example plus generated modules) well
// above the model's minimum cacheable prefix, where the cache can matter.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, log, ROOT, runNode, tempDir } from '../lib/util.js';

/** Generated library modules (about 600 tokens each) added to the example's `src/lib/gen/`. */
function addModules(repo, count) {
  const dir = path.join(repo, 'src', 'lib', 'gen');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const body = Array.from(
      { length: 12 },
      (_, j) =>
        `/** Rule ${j} of module ${i}: a discount on line items. */\nexport function rule${i}_${j}(cents: number, quantity: number): number {\n  return Math.max(0, cents * quantity - ${j * 10 + i});\n}\n`,
    ).join('\n');
    writeFileSync(path.join(dir, `rules${String(i).padStart(2, '0')}.ts`), body);
  }
}

/** A spec with `n` entities (the offline planner plans a model, service, routes and test per entity). */
function manyEntitiesSpec(n) {
  const names = Array.from({ length: n }, (_, i) => `Entity${String(i).padStart(2, '0')}`);
  return (
    '# Orders service, large\n\nScaffold a small HTTP service on top of `src/app.ts` (node:http, no framework).\n\n## Entities\n\n' +
    names.map((e) => `- ${e}: id, name, createdAt; unique name`).join('\n') +
    '\n\n## Rules\n\n- Every entity has a model, an in-memory service, routes and a vitest test file.\n'
  );
}

/**
 * Every request of the job with its usage, in the order the API answered them: the synchronous
 * calls from `status --json` (one request each), the batch requests from the emulator's results
 * files (`<dataDir>/results/<batch>.jsonl`, appended as each request is processed), a batch
 * placed at its creation time.
 */
function requestUsages(status, emulatorDir) {
  const out = status.calls.map((c) => ({ at: c.at, usage: c.usage }));
  for (const b of status.batches) {
    const file = path.join(emulatorDir, 'results', `${b.id}.jsonl`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line).result;
      if (r.type === 'succeeded') out.push({ at: b.created_at, usage: r.message.usage });
    }
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * The share of context tokens read from the cache once each prefix has been written: a request's
 * context is its cache reads and writes; a write is the first of its prefix when no earlier
 * request's context ended where this one's does (read + written: the end of the prefix written;
 * requests share their leading blocks, so a prefix is told by where it ends). First writes are
 * left out (something has to write); every other token counts, so a write of a prefix the cache
 * had already (expired, or written by several requests at once) counts as a miss.
 */
function cacheAfterFirstWrite(requests) {
  const ends = new Set();
  let read = 0;
  let counted = 0;
  let firstWrites = 0;
  for (const { usage: u } of requests) {
    const end = u.cache_read_input_tokens + u.cache_creation_input_tokens;
    read += u.cache_read_input_tokens;
    counted += u.cache_read_input_tokens;
    if (u.cache_creation_input_tokens > 0 && !ends.has(end)) firstWrites += u.cache_creation_input_tokens;
    else counted += u.cache_creation_input_tokens;
    if (end > 0) ends.add(end);
  }
  return { share: counted > 0 ? read / counted : null, read, counted, firstWrites };
}

async function job(label, emulatorUrl, extraModules, { entities = 0, maxTokens = null } = {}) {
  const repo = path.join(tempDir('cost'), 'orders-service');
  cpSync(path.join(ROOT, 'examples', 'microservice'), repo, { recursive: true, filter: (src) => !src.split(path.sep).includes('node_modules') });
  if (extraModules > 0) addModules(repo, extraModules);
  if (entities > 0) {
    writeFileSync(path.join(repo, 'spec.md'), manyEntitiesSpec(entities));
    // Many entities cost more than the example's $10 run budget allows at the high estimates
    // (every request writing the cache and using all of max_tokens): the bench measures the bill.
    const config = path.join(repo, 'harness.config.ts');
    writeFileSync(config, readFileSync(config, 'utf8').replace('perRunUsd: 10', 'perRunUsd: 100'));
  }
  const flags = maxTokens ? ['--max-tokens', String(maxTokens)] : [];
  const env = { ANTHROPIC_BASE_URL: emulatorUrl, ANTHROPIC_API_KEY: 'bench', HARNESS_POLL_MS: '50' };
  for (const args of [
    ['init', '--planner', 'llm', '--spec', 'spec.md', ...flags],
    ['run', ...flags],
  ]) {
    const r = await runNode([BIN, ...args, '--repo', repo], { env, cwd: repo });
    if (r.code !== 0) throw new Error(`harness ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  }
  const st = await runNode([BIN, 'status', '--json', '--repo', repo], { env, cwd: repo });
  const s = JSON.parse(st.stdout);
  const u = s.usage;
  const contextTokens = u.cache_creation_input_tokens + u.cache_read_input_tokens;
  const files = s.batches.reduce((n, b) => n + (b.files ?? 0), 0);
  const requests = s.batches.filter((b) => (b.purpose ?? 'tasks') !== 'warmup').reduce((n, b) => n + b.requests, 0);
  const purposes = s.batches.map((b) => b.purpose ?? 'tasks');
  log(
    `  ${label}: ${s.counts.done} tasks done (${files} files) in ${requests} request(s), batches [${purposes.join(', ')}], calls [${s.calls.map((c) => c.purpose).join(', ')}]; ` +
      `cost $${s.cost_usd.toFixed(4)} vs naive $${s.naive_sync_cost_usd.toFixed(4)}; usage in ${u.input_tokens} / cache write ${u.cache_creation_input_tokens} / cache read ${u.cache_read_input_tokens} / out ${u.output_tokens}; ` +
      `cache read share ${(s.cache_read_share * 100).toFixed(1)} %`,
  );
  return { s, files, requests, contextTokens };
}

export default {
  id: 'cost',
  title: 'cost of the demo job vs naive per-file calls',
  async run({ scale }) {
    const { startEmulator } = await import('../../dist/emulator/index.js');
    const emulatorDir = tempDir('cost-emulator');
    const emulator = await startEmulator({ processingMs: 200, dataDir: emulatorDir });
    const rows = [];
    const notes = [];
    try {
      const modules = Math.max(4, Math.round(40 * Math.min(1, scale * 4)));
      const entities = Math.max(8, Math.round(30 * Math.min(1, scale * 4)));
      const jobs = [
        { key: 'demo', label: 'demo job (examples/microservice)', modules: 0 },
        { key: 'big', label: `demo job + ${modules} generated modules`, modules },
        // The same job planned from a spec of many entities, with requests small enough that many
        // of them read the same context: what the cache-read share looks like at scale.
        { key: 'many', label: `demo job + ${modules} modules, ${entities} entities, --max-tokens 16000`, modules, entities, maxTokens: 16_000 },
      ];
      for (const j of jobs) {
        const { s, files, requests } = await job(j.label, emulator.url, j.modules, j);
        const perRequest = requestUsages(s, emulatorDir);
        const after = cacheAfterFirstWrite(perRequest);
        log(
          `  ${j.label}: ${perRequest.length} requests answered; cache reads ${after.read} of ${after.counted} context tokens after the first writes (${after.firstWrites} tokens written first)`,
        );
        const ratio = s.naive_sync_cost_usd > 0 ? s.cost_usd / s.naive_sync_cost_usd : null;
        rows.push({
          key: `cost.${j.key}.usd`,
          case: `6 cost: ${j.label}, ${files} files`,
          vs: 'naive sync per file',
          unit: 'usd',
          ours: s.cost_usd,
          baseline: s.naive_sync_cost_usd,
          ratio,
          rss: null,
          target: '≤ 0.45×',
          pass: ratio !== null && ratio <= 0.45,
          details: {
            usage: s.usage,
            batches: s.batches.map((b) => ({ purpose: b.purpose, requests: b.requests, usage: b.usage })),
            calls: s.calls,
            requests,
          },
        });
        rows.push({
          key: `cost.${j.key}.cache`,
          case: `6 cost: ${j.label}, cache reads after the first write of each prefix`,
          vs: `${perRequest.length} request(s)`,
          unit: 'share',
          ours: after.share,
          baseline: null,
          ratio: null,
          rss: null,
          target: '≥ 95 %',
          pass: after.share !== null && after.share >= 0.95,
          details: after,
        });
        rows.push({
          key: `cost.${j.key}.cache-overall`,
          case: `6 cost: ${j.label}, cache reads overall (first writes included)`,
          vs: `${perRequest.length} request(s)`,
          unit: 'share',
          ours: s.cache_read_share,
          baseline: null,
          ratio: null,
          rss: null,
          target: 'info',
          pass: null,
        });
        if (requests < 20 && s.cache_read_share < 0.95) {
          notes.push(
            `${j.label}: ${requests} batch request(s) read the context that one call wrote: overall, the share of context tokens read from the cache is at most n/(n+1) = ${((100 * requests) / (requests + 1)).toFixed(0)} % (the first write counts); after it, ${after.share === null ? '—' : `${(after.share * 100).toFixed(1)} %`}.`,
          );
        }
      }
    } finally {
      await emulator.close();
    }
    return { rows, notes };
  },
};
