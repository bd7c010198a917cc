/** Errors that carry an HTTP status; route handlers throw them and `sendError` renders them. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details: Record<string, unknown> = {}) => new HttpError(400, message, details);
export const notFound = (what: string, id: string) => new HttpError(404, `${what} ${id} not found`, { id });
export const conflict = (message: string, details: Record<string, unknown> = {}) => new HttpError(409, message, details);

/** Validation failures, one entry per field, rendered as 422 with every problem at once. */
export class ValidationError extends HttpError {
  constructor(readonly issues: { field: string; problem: string }[]) {
    super(422, `invalid input: ${issues.map((i) => `${i.field} ${i.problem}`).join('; ')}`, { issues });
    this.name = 'ValidationError';
  }
}
