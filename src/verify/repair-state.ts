/**
 * Which tasks are under repair, read from the journal alone: the tasks the last
 * `verified` event marked for repair whose file has not been written again since. Pure.
 */
import type { VerifiedEvent } from '../state/journal-events.js';
import type { JournalState } from '../state/journal-fold.js';

/** A task the verify command named: what its next request must fix. */
export interface RepairNeed {
  path: string;
  /** The output lines of the last verification that name it. */
  diagnostics: string[];
  /** How many verifications have marked it (1 for its first repair). */
  round: number;
}

/** How many `verified` events marked each path for repair. */
export function repairRounds(journal: JournalState): Map<string, number> {
  const rounds = new Map<string, number>();
  for (const e of journal.events) {
    if (e.type !== 'verified') continue;
    for (const path of Object.keys(e.repairs)) rounds.set(path, (rounds.get(path) ?? 0) + 1);
  }
  return rounds;
}

/**
 * Tasks the last verification marked for repair and not regenerated since (no collect wrote the
 * file, no synchronous call rewrote it after that verification), by path.
 */
export function repairsPending(journal: JournalState): Map<string, RepairNeed> {
  const events = journal.events;
  const last = events.findLastIndex((e) => e.type === 'verified');
  const pending = new Map<string, RepairNeed>();
  const verified = events[last] as VerifiedEvent | undefined;
  if (!verified) return pending;
  const rewritten = new Set<string>();
  for (const e of events.slice(last + 1)) {
    if (e.type === 'collected') for (const f of e.files) rewritten.add(f.path);
    if (e.type === 'call' && e.path !== undefined) rewritten.add(e.path);
  }
  const rounds = repairRounds(journal);
  for (const [path, diagnostics] of Object.entries(verified.repairs)) {
    if (!rewritten.has(path)) pending.set(path, { path, diagnostics, round: rounds.get(path) ?? 1 });
  }
  return pending;
}
