/**
 * Stopping on Ctrl-C or SIGTERM. The first signal asks for a stop: the work in hand (a collect, a
 * submit between "create" and "record its id", a commit) finishes, and the run stops at the next
 * safe point (before collecting the next batch, before submitting, or in a wait). A second signal
 * exits at once; the journal still lets the next `harness run` finish whatever was cut off.
 *
 * Core code sees only a `StopSignal`: it asks `stop.requested` or calls `stop.throwIfRequested()`
 * at its safe points, and waits with `sleepUnlessStopped`. The CLI owns the controller and turns a
 * `StopRequested` into exit 130 (SIGINT) or 143 (SIGTERM).
 */

export type StopReason = 'SIGINT' | 'SIGTERM';

/** Thrown at a safe point once a stop was requested. */
export class StopRequested extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(`stopped by ${reason}`);
    this.name = 'StopRequested';
    this.reason = reason;
  }
}

export const isStopRequested = (e: unknown): e is StopRequested => e instanceof StopRequested;

/** The exit code of a process stopped by `reason`: 128 + the signal number, as shells report it. */
export const stopExitCode = (reason: StopReason): 130 | 143 => (reason === 'SIGINT' ? 130 : 143);

export interface StopSignal {
  /** The signal that asked for the stop, or null while none has. */
  readonly reason: StopReason | null;
  readonly requested: boolean;
  /** Aborted when a stop is requested (for waits and anything that takes an AbortSignal). */
  readonly signal: AbortSignal;
  /** Throws `StopRequested` when a stop was requested: call it at a safe point. */
  throwIfRequested(): void;
}

export interface StopController {
  readonly stop: StopSignal;
  request(reason: StopReason): void;
}

export function createStopController(): StopController {
  const abort = new AbortController();
  let reason: StopReason | null = null;
  const stop: StopSignal = {
    get reason() {
      return reason;
    },
    get requested() {
      return reason !== null;
    },
    signal: abort.signal,
    throwIfRequested() {
      if (reason !== null) throw new StopRequested(reason);
    },
  };
  return {
    stop,
    request(r) {
      if (reason !== null) return;
      reason = r;
      abort.abort(new StopRequested(r));
    },
  };
}

/** A stop that never comes (library use, tests of pure orchestration). */
export const neverStop: StopSignal = createStopController().stop;

/**
 * Sleeps `ms`, or less when a stop is requested meanwhile: then it throws `StopRequested` (also
 * when the stop was requested before the call).
 */
export function sleepUnlessStopped(ms: number, stop: StopSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stop.reason !== null) {
      reject(new StopRequested(stop.reason));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new StopRequested(stop.reason ?? 'SIGINT'));
    };
    const timer = setTimeout(() => {
      stop.signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    stop.signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface SignalHandlers {
  /** Removes the handlers (the default behaviour of the signals comes back). */
  dispose(): void;
}

/**
 * Installs SIGINT and SIGTERM handlers: the first signal calls `onFirst` (ask for a stop), a
 * second one calls `onSecond` (exit now).
 */
export function onStopSignals(onFirst: (reason: StopReason) => void, onSecond: (reason: StopReason) => void): SignalHandlers {
  let count = 0;
  const handle = (reason: StopReason) => () => {
    count++;
    if (count === 1) onFirst(reason);
    else onSecond(reason);
  };
  const int = handle('SIGINT');
  const term = handle('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return {
    dispose() {
      process.off('SIGINT', int);
      process.off('SIGTERM', term);
    },
  };
}
