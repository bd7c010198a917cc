/** Human-readable renderings of results: the task table, the cost report, dry runs, estimates. */
import { cacheReadShare, costUsd, formatUsd, sumUsage, type Usage } from '../cost/usage.js';
import type { DryRunSummary } from '../pipeline/dry-run.js';
import type { EstimateReport } from '../pipeline/estimate-pending.js';
import type { RunResult } from '../pipeline/run.js';
import type { StatusReport } from '../pipeline/status.js';
import type { Workspace } from '../pipeline/workspace.js';
import { colorsFor, plural, table, type Output } from './render.js';

export function printStatus(io: Output, s: StatusReport): void {
  const c = colorsFor(io.out, io.env);
  const mark = { pending: c.dim('·'), submitted: c.cyan('⧗'), done: c.green('✔'), failed: c.red('✖') } as const;
  const w = (line: string) => io.out.write(line + '\n');
  // The stage column only when the list has stages (docs/task-list.md#stages).
  const staged = s.tasks.some((t) => t.stage > 1);
  w(c.bold('Tasks'));
  w(
    table(
      s.tasks.map((t) => [
        `${t.skipped ? c.dim('–') : mark[t.status]} ${t.id}`,
        ...(staged ? [t.stage] : []),
        t.path,
        t.skipped ? 'skipped' : t.status,
        t.attempts,
        t.batch ?? '',
        t.reason ?? '',
      ]),
      ['id', ...(staged ? ['stage'] : []), 'path', 'status', 'attempts', 'batch', 'reason'],
    ),
  );
  const skipped = s.tasks.filter((t) => t.skipped).length;
  const skippedNote = skipped > 0 ? ` (${skipped} of them skipped: ticked by hand, never generated)` : '';
  w(`\n${s.counts.done} done${skippedNote}, ${s.counts.submitted} submitted, ${s.counts.pending} pending, ${s.counts.failed} failed`);
  if (staged || s.stage_held) {
    const last = Math.max(...s.tasks.map((t) => t.stage));
    w(s.stage === null ? `no stage in progress (stages 1–${last})` : `stage ${s.stage} of ${last} in progress`);
    if (s.stage_held) w(c.red(s.stage_held));
  }
  if (s.verify) {
    const v = s.verify;
    const failing = v.failing.length > 0 ? `: ${v.failing.join(', ')}` : '';
    w(v.passed ? `verify passed (${v.at}): ${v.command}` : c.red(`verify failed (${v.at})${failing}: ${v.command}`));
  }
  if (s.batches.length > 0) {
    w('\n' + c.bold('Batches'));
    w(
      table(
        s.batches.map((b) => [
          b.id,
          b.status,
          b.requests,
          b.tasks,
          b.files ?? '',
          b.usage ? b.usage.input_tokens + b.usage.cache_creation_input_tokens + b.usage.cache_read_input_tokens : '',
          b.usage ? b.usage.output_tokens : '',
          b.usage ? pct(cacheReadShare(b.usage)) : '',
          b.cost_usd === null ? `~$${formatUsd(b.estimate_usd)}` : `$${formatUsd(b.cost_usd)}`,
          b.status === 'collected' ? '' : (b.expires_at ?? ''),
        ]),
        ['batch', 'status', 'requests', 'tasks', 'files', 'input tok', 'output tok', 'cache read', 'cost', 'expires'],
      ),
    );
  }
  printBillCheck(io, s);
  if (s.calls.length > 0) {
    const by = new Map<string, { n: number; usd: number }>();
    for (const call of s.calls) {
      const e = by.get(call.purpose) ?? { n: 0, usd: 0 };
      by.set(call.purpose, { n: e.n + 1, usd: e.usd + call.cost_usd });
    }
    w(`\nsynchronous calls: ${[...by].map(([p, e]) => `${e.n} ${p} ($${formatUsd(e.usd)})`).join(', ')}`);
  }
  if (s.context) w(`\ncontext: ${s.context.mode} mode (${s.context.files} files, ~${s.context.tokens} tokens)`);
  w('\n' + costLines(s.usage, s.cost_usd, s.naive_sync_cost_usd).join('\n'));
  const repairs = [
    plural(s.batches.filter((b) => b.purpose === 'repair').length, 'batch', 'batches'),
    plural(s.calls.filter((c) => c.purpose === 'repair').length, 'synchronous call'),
  ].filter((p) => !p.startsWith('0 '));
  if (repairs.length > 0) w(`of which repairs (verify): $${formatUsd(s.repair_cost_usd)} (${repairs.join(', ')})`);
}

/** Each collected batch's estimate against its bill, the account's cache hit rate, the warm-ups' effect. */
function printBillCheck(io: Output, s: StatusReport): void {
  const c = colorsFor(io.out, io.env);
  const w = (line: string) => io.out.write(line + '\n');
  const judged = s.batches.filter((b) => b.usage && b.estimate_usage);
  if (judged.length > 0) {
    const inTok = (u: Usage) => u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
    const range = (b: (typeof judged)[number]) =>
      b.estimate_usd_low === null || b.estimate_usd_high === null ? '' : `$${formatUsd(b.estimate_usd_low)}–$${formatUsd(b.estimate_usd_high)}`;
    w('\n' + c.bold('Estimate vs bill'));
    w(
      table(
        judged.map((b) => [
          b.id,
          inTok(b.estimate_usage!),
          inTok(b.usage!),
          delta(inTok(b.estimate_usage!), inTok(b.usage!)),
          b.estimate_usage!.output_tokens,
          b.usage!.output_tokens,
          range(b),
          `$${formatUsd(b.estimate_usd)}`,
          `$${formatUsd(b.cost_usd ?? 0)}${b.bill_in_range && b.bill_in_range !== 'within' ? ` (${b.bill_in_range} range)` : ''}`,
          b.estimate_hit_rate === null ? '' : pct(b.estimate_hit_rate),
          b.hit_rate === null ? '' : pct(b.hit_rate),
        ]),
        [
          'batch',
          'input est.',
          'input billed',
          'Δ input',
          'output est.',
          'output billed',
          'cost low–high',
          'expected',
          'billed',
          'hit rate est.',
          'hit rate billed',
        ],
      ),
    );
  }
  if (s.cache_hit_rate !== null) {
    const assumed = [...s.batches].reverse().find((b) => b.purpose !== 'warmup' && b.estimate_hit_rate !== null)?.estimate_hit_rate ?? null;
    w(
      `cache hit rate of this account: ${pct(s.cache_hit_rate)} of the cache reads the batches could make (estimates assumed ${assumed === null ? '?' : pct(assumed)}: config cache.expectedHitRate)`,
    );
  }
  for (const e of s.warmups) {
    if (!e.batch) {
      w(`warm-up ${e.warmup}: $${formatUsd(e.cost_usd)}, wrote ${e.written_tokens} tokens; no batch of the same codebase collected after it yet`);
      continue;
    }
    const verdict =
      e.batch_read_tokens === 0
        ? c.red('the batch after it read nothing from the cache: the warm-up did not pay')
        : e.saved_usd_low === null || e.saved_usd_high === null
          ? ''
          : `net of its cost it saved between $${formatUsd(e.saved_usd_low)} and $${formatUsd(e.saved_usd_high)}`;
    w(
      `warm-up ${e.warmup}: $${formatUsd(e.cost_usd)}, wrote ${e.written_tokens} tokens; ${e.batch} then read ${e.batch_read_tokens} tokens from the cache ($${formatUsd(e.reads_usd)}; as writes $${formatUsd(e.as_writes_usd)}) and wrote ${e.batch_written_tokens}${verdict ? `; ${verdict}` : ''}`,
    );
  }
}

function costLines(usage: Usage, cost: number, naive: number): string[] {
  const lines = [
    `tokens: ${usage.input_tokens} input, ${usage.cache_creation_input_tokens} cache write, ${usage.cache_read_input_tokens} cache read, ${usage.output_tokens} output${usage.thinking_output_tokens > 0 ? ` (${usage.thinking_output_tokens} of it thinking)` : ''}`,
    `cache-read share of context tokens: ${pct(cacheReadShare(usage))}`,
    `cost: $${formatUsd(cost)} (batch, cached)`,
  ];
  if (naive > 0)
    lines.push(`the same files as one synchronous uncached call each: $${formatUsd(naive)} (this run cost ${(cost / naive).toFixed(2)}× that)`);
  return lines;
}

export async function printRunSummary(io: Output, ws: Workspace, r: RunResult): Promise<void> {
  const { buildStatus } = await import('../pipeline/status.js');
  const status = await buildStatus(ws.repoDir, ws.model);
  printStatus(io, status);
  if (r.collected.length > 0 && ws.model.prices) {
    const usage = sumUsage(r.collected.map((c) => c.usage));
    io.out.write(
      `\nthis run: ${plural(r.collected.length, 'batch', 'batches')} collected, ${plural(
        r.collected.reduce((s, c) => s + c.files, 0),
        'file',
      )}, $${formatUsd(costUsd(usage, ws.model.prices, 'batch'))}\n`,
    );
  }
  if (r.submitted.length > 0) io.out.write(`submitted: ${r.submitted.join(', ')}\n`);
  const left = r.counts.pending + r.counts.submitted;
  // The status above says which task holds a stage back (stage_held).
  if (r.held) return;
  if (r.stage && r.stage.waiting > 0) io.out.write(`${plural(r.stage.waiting, 'task')} of later stages wait for stage ${r.stage.current}\n`);
  if (r.counts.failed > 0) {
    io.out.write(
      `${plural(r.counts.failed, 'task')} failed: see the reasons above. To try them again: \`harness run --retry-failed\` (all of them), \`harness retry PATH…\` (some), or change a task's description in task-list.md and run again\n`,
    );
  } else if (left > 0) io.out.write(`${plural(left, 'task')} still to do: run \`harness run\` again (or wait for the batch)\n`);
}

export function printDryRun(io: Output, ws: Workspace, d: DryRunSummary): void {
  io.out.write(`dry run: nothing sent, nothing committed. Requests written to ${d.dir}/\n`);
  io.out.write(`per request, the files seen in full and those only in the repo map: ${d.dir}/batch-NNN.files.jsonl\n`);
  io.out.write(
    table(
      d.batches.map((b) => [
        b.file,
        b.requests,
        b.tasks,
        b.bytes,
        b.inputTokens,
        b.outputTokens,
        `$${formatUsd(b.estimateUsd)}`,
        `$${formatUsd(b.usdLow)}–$${formatUsd(b.usdHigh)}`,
      ]),
      ['file', 'requests', 'tasks', 'bytes', 'input tok', 'output tok', 'estimate', 'range'],
    ) + '\n',
  );
  const total = d.batches.reduce((s, b) => s + b.estimateUsd, 0);
  io.out.write(
    `model ${ws.model.id}, max_tokens ${ws.config.maxTokens}${ws.betas.length ? `, betas ${ws.betas.join(',')}` : ''}; estimated total $${formatUsd(total)}\n`,
  );
}

export function printEstimate(io: Output, r: EstimateReport): void {
  if (r.stageHeld) io.out.write(`${r.stageHeld}\n`);
  else if (r.waitingTasks > 0)
    io.out.write(`stage ${r.stage}: ${plural(r.waitingTasks, 'pending task')} of later stages wait for it and are not counted below\n`);
  if (!r.estimate) {
    io.out.write(`nothing pending (spent so far $${formatUsd(r.spentUsd)})\n`);
    return;
  }
  const e = r.estimate;
  const u = e.usage;
  const rate = pct(e.hitRate);
  const lines = [
    `${plural(r.pendingTasks, 'pending task')} → ${plural(r.requests, 'request')} in ${plural(r.batches, 'batch', 'batches')}, model ${r.model}`,
    `input (expected): ${u.input_tokens} uncached + ${u.cache_creation_input_tokens} cache write + ${u.cache_read_input_tokens} cache read tokens (${r.inputSource === 'count_tokens' ? 'from count_tokens' : 'local estimate: the API was not reachable'})`,
    `output: ~${u.output_tokens} tokens expected (the per-task estimates), at most ${e.outputTokensHigh} (every request using all of max_tokens)`,
    'cost:',
    table(
      [
        ['low', `$${formatUsd(e.usdLow)}`, 'every request after the first write of each prefix reads the cache'],
        ['expected', `$${formatUsd(e.usd)}`, `${rate} of those reads hit the cache (cache.expectedHitRate), the rest write it`],
        ['high', `$${formatUsd(e.usdHigh)}`, 'every request writes the cache and uses all of max_tokens'],
      ],
      ['', 'USD', 'assumes'],
    )
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  ];
  if (r.prefixes) {
    lines.push(
      `context: ${r.contextMode} mode, ${plural(r.prefixes.count, 'distinct cached prefix', 'distinct cached prefixes')}, written once for ~${r.prefixes.writeTokens} tokens (~$${formatUsd(r.prefixes.writeUsd)})`,
    );
  }
  if (e.warmupUsd > 0) lines.push(`(each figure includes $${formatUsd(e.warmupUsd)} of cache warm-up batches: cache.warmup)`);
  if (r.perBatch.length > 1) {
    const rows = r.perBatch.map((b, i) => [
      i + 1,
      b.requests,
      `$${formatUsd(b.usdLow)}`,
      `$${formatUsd(b.usd)}`,
      `$${formatUsd(b.usdHigh)}`,
      b.warmup ? 'yes' : '',
    ]);
    lines.push(table(rows, ['batch', 'requests', 'low', 'expected', 'high', 'warm-up']));
  }
  lines.push(`spent so far $${formatUsd(r.spentUsd)}`);
  const caps = [
    ...(r.budget.perRunUsd !== null ? [`$${formatUsd(r.budget.perRunUsd)} per run`] : []),
    ...(r.budget.totalUsd !== null ? [`$${formatUsd(r.budget.totalUsd)} total`] : []),
  ];
  lines.push(
    caps.length > 0 ? `budget: ${caps.join(', ')}; checked against the high figure before each batch` : 'budget: none set (config `budget`)',
  );
  io.out.write(lines.join('\n') + '\n');
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const delta = (estimate: number, billed: number) =>
  billed === 0 ? '' : `${estimate >= billed ? '+' : ''}${(((estimate - billed) / billed) * 100).toFixed(1)}%`;
