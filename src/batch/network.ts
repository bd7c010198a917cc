/**
 * Network failures in plain words: which API base URL was tried and what went wrong at the
 * connection level (refused, reset, cut mid-response, timed out, name not found). No SDK import,
 * so the CLI's error printer can use it without loading the SDK; never prints a key or a header.
 */

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

let clientBaseUrl: string | null = null;

/** Records the base URL the API client was made with (the one every later message names). */
export function rememberBaseUrl(url: string): void {
  clientBaseUrl = url;
}

/**
 * The base URL requests go to: the client's, else ANTHROPIC_BASE_URL, else the SDK's default.
 * Shown without any user:password part or query.
 */
export function apiBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = clientBaseUrl ?? (env.ANTHROPIC_BASE_URL?.trim() || DEFAULT_BASE_URL);
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return raw.replace(/[?#].*$/, '');
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
]);

const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  ENETDOWN: 'network down',
  UND_ERR_SOCKET: 'connection closed by the other side',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the response',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the response',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_ABORTED: 'request aborted',
};

function* causes(error: unknown): Generator<{ name?: unknown; message?: unknown; code?: unknown }> {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    yield e as { name?: unknown; message?: unknown; code?: unknown };
    e = (e as { cause?: unknown }).cause;
  }
}

/** True for a failure to reach the API or to read its response (not an HTTP error status). */
export function isNetworkError(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.name === 'APIConnectionError' || e.name === 'APIConnectionTimeoutError') return true;
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
    // undici: a body cut mid-way is `TypeError: terminated`; a failed request `TypeError: fetch failed`.
    if (e.name === 'TypeError' && (e.message === 'terminated' || e.message === 'fetch failed')) return true;
    if (e.name === 'SocketError' || e.name === 'ConnectTimeoutError' || e.name === 'HeadersTimeoutError' || e.name === 'BodyTimeoutError')
      return true;
  }
  return false;
}

/** What went wrong, in a few words: `connection refused (ECONNREFUSED)`, `response cut short`… */
export function networkDetail(error: unknown): string {
  let code: string | null = null;
  let timeout = false;
  let cut = false;
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) code = e.code;
    if (e.name === 'APIConnectionTimeoutError') timeout = true;
    if (e.name === 'TypeError' && e.message === 'terminated') cut = true;
  }
  if (code && code !== 'UND_ERR_SOCKET') return `${WORDS[code] ?? code} (${code})`;
  if (cut || code === 'UND_ERR_SOCKET') return 'the connection was cut before the response was complete';
  if (timeout) return 'timed out';
  return 'the connection failed';
}

/** `could not reach the API at URL: detail` */
export function networkMessage(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  return `could not reach the API at ${apiBaseUrl(env)}: ${networkDetail(error)}`;
}

/** The general advice after a network failure; callers that know more say more. */
export const NETWORK_HINT =
  'check the network and ANTHROPIC_BASE_URL, then run the same command again: batches already submitted keep running on the server, and the next `harness run` picks them up (nothing is submitted twice)';
