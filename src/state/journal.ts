/**
 * The journal: `.harness/journal.jsonl`, append-only, one event per line. An intent is recorded
 * BEFORE each side effect (create a batch, write files), so a crash at any instant leaves enough
 * on disk to resume without paying twice. It is committed with the harness's commits, so a fresh
 * clone (a nightly CI job) knows every batch and what was paid.
 *
 * This module is the journal's API: the events (journal-events.ts), their fold (journal-fold.ts),
 * the file (journal-file.ts), and the store that owns it in this process (journal-store.ts), which
 * `readJournal` and `appendJournal` go through: an append from anywhere updates the fold, and a
 * read does not parse the file again when nothing else wrote it.
 */
import { createHash } from 'node:crypto';
import type { JournalEventInput } from './journal-events.js';
import type { RepairResult } from './journal-file.js';
import type { JournalState } from './journal-fold.js';
import { journalStore } from './journal-store.js';

export {
  type CollectedEvent,
  type IntentEvent,
  type JournalEvent,
  type JournalEventInput,
  journalEventSchema,
  type RetryRecord,
  type TaskChangeRecord,
} from './journal-events.js';
export { JOURNAL_FILE } from './journal-file.js';
export { type BatchRecord, busyPaths, calls, foldJournal, inFlight, type JournalState, spentUsd, unresolved } from './journal-fold.js';
export { type JournalStore, journalStore, memoryJournal } from './journal-store.js';

/**
 * Reads the journal; never writes it (`status` reads it while a run may be appending). A last line
 * without its newline is an append in progress, or one a crash cut: it counts only if it is a
 * whole event already, and is otherwise left out. A bad line anywhere else is corruption.
 */
export function readJournal(repoDir: string): Promise<JournalState> {
  return journalStore(repoDir).read();
}

/**
 * Appends one event and syncs it. Only the holder of the repo lock appends, so only it repairs: a
 * last line a crash cut short is completed (when it is a whole event missing its newline) or cut
 * off first, so the new event never gets glued to it.
 */
export function appendJournal(repoDir: string, event: JournalEventInput): Promise<void> {
  return journalStore(repoDir).append(event);
}

/**
 * Repairs a torn last line (see appendJournal); for the lock holder, e.g. before it reads the
 * journal to act on it. Returns what it did. Readers without the lock never call this.
 */
export function repairJournal(repoDir: string): Promise<RepairResult> {
  return journalStore(repoDir).repair();
}

export const newIntentId = (fingerprint: string, at: string): string =>
  'i' + createHash('sha256').update(`${fingerprint}\n${at}`).digest('hex').slice(0, 16);

export const nowIso = (): string => new Date().toISOString();
