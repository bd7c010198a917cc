/**
 * --dry-run: every request exactly as it would be sent, as JSONL under .harness/dry-run/; no spend.
 * Beside each batch file, `batch-NNN.files.jsonl` says per request which codebase files it holds in
 * full and which only in the repo map (docs/json.md#dry-run-files): nothing is cut silently.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { HARNESS_STATE_DIR } from '../shared/paths.js';
import { batchCost } from '../cost/estimate.js';
import type { PlannedBatch } from './plan-requests.js';
import type { Workspace } from './workspace.js';

const DRY_RUN_DIR = `${HARNESS_STATE_DIR}/dry-run`;

export interface DryRunSummary {
  dir: string;
  batches: {
    file: string;
    requests: number;
    tasks: number;
    bytes: number;
    estimateUsd: number;
    usdLow: number;
    usdHigh: number;
    inputTokens: number;
    outputTokens: number;
  }[];
}

export async function writeDryRun(ws: Pick<Workspace, 'repoDir' | 'betas'>, planned: readonly PlannedBatch[]): Promise<DryRunSummary> {
  const dir = path.join(ws.repoDir, DRY_RUN_DIR);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const batches: DryRunSummary['batches'] = [];
  for (const [i, batch] of planned.entries()) {
    const file = `batch-${String(i + 1).padStart(3, '0')}.jsonl`;
    const out = createWriteStream(path.join(dir, file));
    let bytes = 0;
    for (const req of batch.requests) {
      const line = JSON.stringify({ custom_id: req.custom_id, params: req.params, betas: ws.betas }) + '\n';
      bytes += Buffer.byteLength(line);
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    if (batch.contexts) await writeLines(path.join(dir, file.replace(/\.jsonl$/, '.files.jsonl')), filesLines(batch));
    const u = batch.estimate.usage;
    batches.push({
      file: `${DRY_RUN_DIR}/${file}`,
      requests: batch.requests.length,
      tasks: batch.packed.reduce((s, p) => s + p.tasks.length, 0),
      bytes,
      // Its warm-up batch's cost included (not its tokens: the warm-up is not in the file).
      estimateUsd: batchCost(batch).usd,
      usdLow: batchCost(batch).usdLow,
      usdHigh: batchCost(batch).usdHigh,
      inputTokens: u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens,
      outputTokens: u.output_tokens,
    });
  }
  return { dir: DRY_RUN_DIR, batches };
}

/** One line per request: `{custom_id, context_mode, in_full, map_only}` (paths of the codebase snapshot, sorted). */
function* filesLines(batch: PlannedBatch): Generator<string> {
  for (const c of batch.contexts ?? []) {
    const full = new Set(c.inFull);
    const mapOnly = c.mode === 'map' ? c.codebase.filter((p) => !full.has(p)) : [];
    yield JSON.stringify({ custom_id: c.customId, context_mode: c.mode, in_full: c.inFull, map_only: mapOnly }) + '\n';
  }
}

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  for (const line of lines) if (!out.write(line)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
