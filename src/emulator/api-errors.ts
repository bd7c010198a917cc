/** API errors as the real API sends them: status, `{type:'error', error:{type, message}, request_id}`. */
import { randomBytes } from 'node:crypto';

export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

const TYPE_BY_STATUS: Record<number, ApiErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const DEFAULT_MESSAGE: Record<ApiErrorType, string> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit (emulated fault)',
  api_error: 'Internal server error',
  overloaded_error: 'Overloaded',
};

function errorTypeForStatus(status: number): ApiErrorType {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: ApiErrorType;
  readonly headers: Record<string, string>;

  constructor(status: number, message?: string, options: { type?: ApiErrorType; headers?: Record<string, string> } = {}) {
    const type = options.type ?? errorTypeForStatus(status);
    super(message ?? DEFAULT_MESSAGE[type]);
    this.status = status;
    this.type = type;
    this.headers = options.headers ?? {};
  }
}

export const invalid = (message: string): ApiError => new ApiError(400, message);
export const notFound = (message: string): ApiError => new ApiError(404, message);

export function errorBody(type: string, message: string, requestId: string | null): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `prefix` + `01` + 22 random base62 characters, the shape of the API's ids. */
export function newId(prefix: string): string {
  const bytes = randomBytes(22);
  let out = `${prefix}01`;
  for (const b of bytes) out += BASE62[b % 62];
  return out;
}
