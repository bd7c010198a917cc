/**
 * A collect's decisions gathered, in the order they are applied, into its `collected` event (the
 * plan a crash replays; no I/O here). collect.ts records a result's report lines and fates as the
 * result is read, and a written file's fate once it and every earlier write have finished
 * (collect-writes.ts).
 */
import { addUsage, costUsd, type Usage, zeroUsage } from '../cost/usage.js';
import type { Prices } from '../models/models.js';
import type { CollectedEvent, RetryRecord, TaskChangeRecord } from '../state/journal.js';
import type { Decision, Fate } from './collect-fates.js';

/** Report lines kept in the journal (the reporter shows fewer: see collect.ts). */
const REPORT_LIMIT = 500;

export class FateLedger {
  /** custom_ids decided so far: a repeated result line is ignored, and the rest had no result line. */
  readonly seen = new Set<string>();
  readonly report: string[] = [];
  private readonly changes = new Map<string, TaskChangeRecord>();
  private readonly retry = new Map<string, RetryRecord>();
  private readonly conflicts: { path: string; kept: string }[] = [];
  private readonly files: { path: string; sha256: string }[] = [];
  /** What the succeeded results used, summed as they are decided. */
  private usage: Usage = zeroUsage();
  private readonly counts: Record<string, number> = { succeeded: 0, errored: 0, canceled: 0, expired: 0 };

  /** Records what a decision says of its result: seen, counted, its usage and its report lines (not its steps). */
  decided(d: Decision): void {
    if (d.counted) {
      this.seen.add(d.counted.customId);
      this.counts[d.counted.type] = (this.counts[d.counted.type] ?? 0) + 1;
    }
    if (d.usage) this.usage = addUsage(this.usage, d.usage);
    this.report.push(...d.report);
  }

  /** Records a task's fate (a later fate of the same task replaces the earlier one, in its place). */
  record(f: Fate): void {
    if (f.report !== undefined) this.report.push(f.report);
    if (f.conflict) this.conflicts.push(f.conflict);
    if (f.file) this.files.push(f.file);
    this.changes.set(f.path, f.change);
    if (f.retry) this.retry.set(f.path, f.retry);
  }

  /** The `collected` event of batch `batchId`, recorded `at`; its cost at `prices` (batch rates). */
  event(batchId: string, at: string, prices: Prices): CollectedEvent {
    const usage = this.usage;
    return {
      type: 'collected',
      at,
      batchId,
      files: this.files,
      taskChanges: Object.fromEntries(this.changes),
      usage,
      costUsd: costUsd(usage, prices, 'batch'),
      counts: this.counts,
      report: this.report.slice(0, REPORT_LIMIT),
      ...(this.retry.size > 0 ? { retry: Object.fromEntries(this.retry) } : {}),
      ...(this.conflicts.length > 0 ? { conflicts: this.conflicts } : {}),
    };
  }
}
