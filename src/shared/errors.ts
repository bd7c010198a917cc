/**
 * Errors as data. Every failure the user can act on is a HarnessError with a permanent code,
 * the exit code of the contract (CONTRACT section 3), a message (what happened and why) and
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
}

export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: ErrorCode, message: string, options: HarnessErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.hint = options.hint;
    this.file = options.file;
    this.line = options.line;
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

export const isHarnessError = (e: unknown): e is HarnessError => e instanceof HarnessError;

/** Bad input at a known place: exit 2 with `file:line: reason`. */
export function badInput(
  code: Extract<ErrorCode, 'BAD_CONFIG' | 'BAD_TASK_LIST' | 'BAD_SPEC' | 'UNSAFE_PATH' | 'BAD_USAGE'>,
  file: string,
  line: number | undefined,
  reason: string,
  hint?: string,
): HarnessError {
  return new HarnessError(code, reason, { file, ...(line === undefined ? {} : { line }), ...(hint ? { hint } : {}) });
}
