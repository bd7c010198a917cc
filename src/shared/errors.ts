/**
 * Errors as data. Every failure the user can act on is a HarnessError with a permanent code,
 * its exit code (docs/exit-codes.md), a message (what happened and why) and
 * an optional hint (what to do). Only the CLI prints them, once.
 */

export type ExitCode = 0 | 1 | 2 | 3;

export type ErrorCode =
  | 'BAD_USAGE'
  | 'BAD_CONFIG'
  | 'BAD_TASK_LIST'
  | 'BAD_SPEC'
  | 'BAD_MODEL'
  | 'UNSAFE_PATH'
  | 'SECRET_FOUND'
  | 'CONTEXT_TOO_LARGE'
  | 'BUDGET_EXCEEDED'
  | 'DIRTY_REPO'
  | 'LOCKED'
  | 'NOT_AVAILABLE'
  | 'API'
  | 'GIT'
  | 'STATE'
  | 'INTERNAL';

const EXIT: Record<ErrorCode, ExitCode> = {
  BAD_USAGE: 2,
  BAD_CONFIG: 2,
  BAD_TASK_LIST: 2,
  BAD_SPEC: 2,
  BAD_MODEL: 2,
  UNSAFE_PATH: 2,
  SECRET_FOUND: 2,
  CONTEXT_TOO_LARGE: 2,
  BUDGET_EXCEEDED: 2,
  DIRTY_REPO: 2,
  LOCKED: 1,
  NOT_AVAILABLE: 1,
  API: 1,
  GIT: 1,
  STATE: 1,
  INTERNAL: 1,
};

export interface HarnessErrorOptions {
  hint?: string;
  /** File the problem is in, relative to the repo where possible. */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  cause?: unknown;
  /** Further problems of the same kind, printed after this one (e.g. every bad line of a task list). */
  more?: readonly HarnessError[];
  /** How many further problems were found but left out of `more` (to keep the output readable). */
  omitted?: number;
}

export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  /** Further problems reported with this one. */
  readonly more: readonly HarnessError[];
  /** Further problems found but not listed in `more`. */
  readonly omitted: number;

  constructor(code: ErrorCode, message: string, options: HarnessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.hint = options.hint;
    this.file = options.file;
    this.line = options.line;
    this.more = options.more ?? [];
    this.omitted = options.omitted ?? 0;
  }

  get exitCode(): ExitCode {
    return EXIT[this.code];
  }

  /** `file:line: message`, or just the message when no location is known. */
  get located(): string {
    if (this.file === undefined) return this.message;
    return this.line === undefined ? `${this.file}: ${this.message}` : `${this.file}:${this.line}: ${this.message}`;
  }
}

/** Most problems one error lists (a task list with thousands of bad lines prints the first ones). */
export const MAX_LISTED_ERRORS = 50;

/**
 * One error that reports every problem in `errors` (in order): the first is the error itself, the
 * next ones (up to `cap` in all) are printed after it, and the count of the rest (plus `omitted`,
 * problems the caller did not even make errors of) is kept. `hint` replaces the first one's hint.
 */
export function severalErrors(errors: readonly HarnessError[], options: { cap?: number; hint?: string; omitted?: number } = {}): HarnessError {
  const [first, ...rest] = errors;
  if (!first) throw new HarnessError('INTERNAL', 'severalErrors needs at least one error');
  const cap = Math.max(1, options.cap ?? MAX_LISTED_ERRORS);
  const omitted = (options.omitted ?? 0) + Math.max(0, rest.length - (cap - 1));
  if (rest.length === 0 && omitted === 0 && options.hint === undefined) return first;
  const hint = options.hint ?? first.hint;
  return new HarnessError(first.code, first.message, {
    ...(first.file === undefined ? {} : { file: first.file }),
    ...(first.line === undefined ? {} : { line: first.line }),
    ...(hint === undefined ? {} : { hint }),
    ...(first.cause === undefined ? {} : { cause: first.cause }),
    more: rest.slice(0, cap - 1),
    omitted,
  });
}

export const isHarnessError = (e: unknown): e is HarnessError => e instanceof HarnessError;
