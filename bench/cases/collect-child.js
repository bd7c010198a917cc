// Case 2's worker, one measurement per process (its own peak RSS):
//   node bench/cases/collect-child.js collect <spec.json>   the harness's collect (collectEnded via a Workspace)
//   node bench/cases/collect-child.js raw <url>             a raw stream read of the results over HTTP
//   node bench/cases/collect-child.js sdk <spec.json>       the SDK's results decoder alone (JSON per line, nothing done)
//   node bench/cases/collect-child.js linear <spec.json>    the same with a linear line decoder (below)
//   node bench/cases/collect-child.js collect-linear <spec.json>
//       collectEnded with the results decoded by that linear decoder instead of the SDK's
//       (a Workspace `api` whose results() fetches results_url itself): what collect would do with
//       the decoder fix proposed for src/batch/api.ts
// Prints one JSON line: { ms, bytes, maxRss, ... }.
import { readFileSync } from 'node:fs';

const [mode, arg] = process.argv.slice(2);

// Where the memory is: the largest heap / external / array-buffer figures seen, every 50 ms.
// phaseRss: the largest RSS sampled in the current phase (collect mode: see `lap` below).
const memPeak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
let phaseRss = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  for (const k of Object.keys(memPeak)) memPeak[k] = Math.max(memPeak[k], m[k]);
  phaseRss = Math.max(phaseRss, m.rss);
}, 50);
sampler.unref();

/**
 * JSONL over a byte stream in linear time: newlines found with a native indexOf, a line's pieces
 * joined once. (The SDK's LineDecoder copies its whole buffer on every chunk and scans it again
 * from the start in a JS loop: quadratic in the line length; results lines are up to ~1 MB.)
 */
async function* jsonLines(body) {
  let pieces = [];
  const emit = (buf) => {
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 13) end--;
    return end === 0 ? null : JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, end).toString('utf8'));
  };
  for await (const chunk of body) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      const line = emit(pieces.length > 0 ? Buffer.concat([...pieces, part]) : part);
      pieces = [];
      if (line !== null) yield line;
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length > 0) {
    const line = emit(Buffer.concat(pieces));
    if (line !== null) yield line;
  }
}

async function linearApi(env) {
  const { createClient, sdkBatchApi } = await import('../../dist/batch/api.js');
  const base = sdkBatchApi(createClient({ env }));
  return {
    ...base,
    async results(id) {
      const batch = await base.retrieve(id);
      const res = await fetch(batch.results_url, { headers: { 'x-api-key': env.ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01' } });
      if (!res.ok) throw new Error(`GET ${batch.results_url}: ${res.status}`);
      return jsonLines(res.body);
    },
  };
}
const out = {};
if (mode === 'raw') {
  const t = performance.now();
  const res = await fetch(arg, { headers: { 'x-api-key': 'bench', 'anthropic-version': '2023-06-01' } });
  if (!res.ok) throw new Error(`GET ${arg}: ${res.status}`);
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.length;
  Object.assign(out, { ms: performance.now() - t, bytes });
} else {
  const spec = JSON.parse(readFileSync(arg, 'utf8'));
  const env = { ...process.env, ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: spec.url };
  if (mode === 'sdk' || mode === 'linear') {
    const { createClient, sdkBatchApi } = await import('../../dist/batch/api.js');
    const api = mode === 'sdk' ? sdkBatchApi(createClient({ env })) : await linearApi(env);
    const t = performance.now();
    let lines = 0;
    for await (const line of await api.results(spec.batchId)) if (line.custom_id) lines++;
    Object.assign(out, { ms: performance.now() - t, lines });
  } else if (mode === 'collect' || mode === 'collect-linear') {
    const { defaultConfig } = await import('../../dist/config/schema.js');
    const { openWorkspace } = await import('../../dist/pipeline/workspace.js');
    const { collectEnded } = await import('../../dist/pipeline/collect.js');
    const t = performance.now();
    const api = mode === 'collect-linear' ? await linearApi(env) : undefined;
    const ws = await openWorkspace({ repoDir: spec.repo, config: defaultConfig, configFile: null, env, ...(api ? { api } : {}) });
    const record = {
      intent: {
        type: 'intent',
        at: new Date().toISOString(),
        intentId: 'bench',
        model: defaultConfig.model,
        betas: [],
        fingerprint: 'bench',
        requests: spec.requests,
        estimateUsd: 0,
        purpose: 'tasks',
      },
      batchId: spec.batchId,
      submittedAt: new Date().toISOString(),
      adopted: false,
      abandoned: false,
      cancelRequested: false,
      collectStarted: false,
      collected: null,
    };
    // Where the time goes: the download (results() resolves once the file is on disk and checked),
    // reading + deciding + writing every file + the journal + the task list, then the commit.
    const phases = {};
    const phasePeakRss = {};
    let mark = t;
    const lap = (k) => {
      const now = performance.now();
      phases[k] = (phases[k] ?? 0) + (now - mark);
      phasePeakRss[k] = Math.max(phasePeakRss[k] ?? 0, phaseRss, process.memoryUsage().rss);
      phaseRss = 0;
      mark = now;
    };
    const commit = ws.git.commit;
    ws.git.commit = async (...a) => {
      lap('writeMs');
      const r = await commit(...a);
      lap('commitMs');
      return r;
    };
    const { downloadResults } = await import('../../dist/batch/download.js');
    const results =
      mode === 'collect'
        ? async (id) => {
            lap('openMs');
            const lines = await downloadResults(ws, id);
            lap('downloadMs');
            return lines;
          }
        : undefined;
    const outcome = await collectEnded(ws, record, results ? { results } : {});
    lap('finishMs');
    Object.assign(out, { ms: performance.now() - t, files: outcome.files, counts: outcome.counts, phases, phasePeakRss });
  } else throw new Error(`unknown mode ${mode}`);
}
out.maxRss = process.resourceUsage().maxRSS * 1024;
out.memPeak = memPeak;
console.log(JSON.stringify(out));
