/**
 * What the journal's events mean together: one record per intent (its batch, whether it was
 * adopted, abandoned, canceled, forgotten, collected), folded one event at a time, so a store can
 * keep the fold and add what is appended instead of reading the whole file again.
 */
import type { CallEvent, CollectedEvent, IntentEvent, JournalEvent } from './journal-events.js';

/** What the journal says about one batch (or an intent that has no batch yet). */
export interface BatchRecord {
  intent: IntentEvent;
  batchId: string | null;
  /** When the batch was recorded as created (its expiry is 24 h later, its results go 29 days later). */
  submittedAt: string | null;
  adopted: boolean;
  abandoned: boolean;
  /** Batches that may be this intent's (no id recorded yet), in the order found. */
  candidates: string[];
  /** Candidates checked and found not to be this intent's. */
  foreign: string[];
  cancelRequested: boolean;
  /** Given up with `harness cancel --forget`: not in flight, never asked about again. */
  forgotten?: boolean;
  /** A collect began (its files may be on disk, uncommitted). */
  collectStarted: boolean;
  collected: CollectedEvent | null;
}

/**
 * The folded journal. A state handed out is never changed afterwards (a later event makes new
 * records), and may be shared by several readers: treat it as read-only.
 */
export interface JournalState {
  events: JournalEvent[];
  /** In intent order. */
  batches: BatchRecord[];
}

/** An intent's record; a later event replaces `record` (never changes it in place). */
interface Slot {
  record: BatchRecord;
}

/** The fold of a sequence of events, one `apply` at a time. */
export class JournalFold {
  private readonly events: JournalEvent[] = [];
  private readonly byIntent = new Map<string, Slot>();
  /** Batch id → the slot of the intent it was recorded for (at the time it was recorded). */
  private readonly byBatch = new Map<string, Slot>();
  private snapshot: JournalState | null = null;

  apply(e: JournalEvent): void {
    this.events.push(e);
    this.snapshot = null;
    switch (e.type) {
      case 'intent':
        // A repeated intent id starts a new record; batch ids recorded for the old one keep
        // pointing at the old one (as they always have).
        this.byIntent.set(e.intentId, {
          record: {
            intent: e,
            batchId: null,
            submittedAt: null,
            adopted: false,
            abandoned: false,
            candidates: [],
            foreign: [],
            cancelRequested: false,
            collectStarted: false,
            collected: null,
          },
        });
        break;
      case 'submitted': {
        const slot = this.byIntent.get(e.intentId);
        if (slot) {
          update(slot, { batchId: e.batchId, submittedAt: e.at, adopted: e.adopted });
          this.byBatch.set(e.batchId, slot);
        }
        break;
      }
      case 'abandoned':
        update(this.byIntent.get(e.intentId), { abandoned: true });
        break;
      case 'candidates': {
        const slot = this.byIntent.get(e.intentId);
        const fresh = slot ? e.batchIds.filter((id, i) => !slot.record.candidates.includes(id) && e.batchIds.indexOf(id) === i) : [];
        if (slot && fresh.length > 0) update(slot, { candidates: [...slot.record.candidates, ...fresh] });
        break;
      }
      case 'foreign': {
        const slot = this.byIntent.get(e.intentId);
        if (slot && !slot.record.foreign.includes(e.batchId)) update(slot, { foreign: [...slot.record.foreign, e.batchId] });
        break;
      }
      case 'cancel':
        update(this.byBatch.get(e.batchId), { cancelRequested: true });
        break;
      case 'forgotten':
        update(this.byBatch.get(e.batchId), { forgotten: true });
        break;
      case 'collect':
        update(this.byBatch.get(e.batchId), { collectStarted: true });
        break;
      case 'collected':
        update(this.byBatch.get(e.batchId), { collected: e });
        break;
    }
  }

  /** The state so far (the same object until the next `apply`). */
  state(): JournalState {
    this.snapshot ??= { events: [...this.events], batches: [...this.byIntent.values()].map((s) => s.record) };
    return this.snapshot;
  }

  /** A fold that goes on from this one without changing it. */
  clone(): JournalFold {
    const copy = new JournalFold();
    copy.events.push(...this.events);
    const slots = new Map<Slot, Slot>();
    const copyOf = (s: Slot): Slot => {
      const c = slots.get(s) ?? { record: s.record };
      slots.set(s, c);
      return c;
    };
    for (const [id, s] of this.byIntent) copy.byIntent.set(id, copyOf(s));
    for (const [id, s] of this.byBatch) copy.byBatch.set(id, copyOf(s));
    return copy;
  }
}

function update(slot: Slot | undefined, change: Partial<BatchRecord>): void {
  if (slot) slot.record = { ...slot.record, ...change };
}

export function foldJournal(events: readonly JournalEvent[]): JournalState {
  const fold = new JournalFold();
  for (const e of events) fold.apply(e);
  return fold.state();
}

/** Batches whose results are not yet in git: submitted (or adoptable), not collected, not forgotten. */
export const inFlight = (s: JournalState): BatchRecord[] =>
  s.batches.filter((b) => b.batchId !== null && !b.abandoned && !b.collected && !b.forgotten);

/**
 * Intents with no batch recorded and not closed: a crash (or a lost response) came between their
 * create and its record. Their batch may exist (see `candidates`) until they are resolved.
 */
export const unresolved = (s: JournalState): BatchRecord[] => s.batches.filter((b) => b.batchId === null && !b.abandoned);

/** Task paths held by batches in flight, or by an unresolved intent (not to be submitted again). */
export const busyPaths = (s: JournalState): Set<string> =>
  new Set([...inFlight(s), ...unresolved(s)].flatMap((b) => b.intent.requests.flatMap((r) => r.paths)));

export const spentUsd = (s: JournalState): number =>
  s.batches.reduce((sum, b) => sum + (b.collected?.costUsd ?? 0), 0) + calls(s).reduce((sum, e) => sum + e.costUsd, 0);

export const calls = (s: JournalState): CallEvent[] => s.events.filter((e): e is CallEvent => e.type === 'call');
