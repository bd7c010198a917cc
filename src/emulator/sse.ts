/**
 * A Message as the API streams it (server-sent events): message_start (empty content, input usage),
 * ping, content_block_start, content_block_delta text_delta chunks, content_block_stop,
 * message_delta (stop_reason, cumulative usage), message_stop. A stream-error fault sends an
 * `error` event (overloaded_error) after `afterChars` characters of text and ends the response.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ApiMessage } from './message.js';

const CHUNK = 64;

/** Cuts text in pieces of about CHUNK characters, never inside a surrogate pair. */
function chunks(text: string, size = CHUNK): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let j = Math.min(text.length, i + size);
    const c = text.charCodeAt(j - 1);
    if (j < text.length && c >= 0xd800 && c <= 0xdbff) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

export interface StreamOptions {
  /** stream-error fault: send an error event after this many characters of text. */
  errorAfterChars?: number;
}

/** Writes the whole stream; resolves when done (or when the client went away). */
export async function streamMessage(
  res: ServerResponse,
  msg: ApiMessage,
  headers: Record<string, string>,
  options: StreamOptions = {},
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  let gone = false;
  res.on('close', () => (gone = true));
  const send = async (event: string, data: unknown) => {
    if (gone) return;
    if (!res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)) {
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
  };
  const { usage } = msg;
  await send('message_start', {
    type: 'message_start',
    message: { ...msg, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: Math.min(1, usage.output_tokens) } },
  });
  await send('ping', { type: 'ping' });
  let sent = 0;
  const fail = options.errorAfterChars;
  for (const [index, block] of msg.content.entries()) {
    if (block.type === 'thinking') {
      await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const piece of chunks(block.thinking)) {
        await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
      }
      await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
      await send('content_block_stop', { type: 'content_block_stop', index });
      continue;
    }
    await send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } });
    for (const piece of chunks(block.text)) {
      if (fail !== undefined && sent + piece.length > fail) {
        const head = piece.slice(0, Math.max(0, fail - sent));
        if (head) await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: head } });
        return sendError(res, send);
      }
      await send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
      sent += piece.length;
      if (gone) return;
    }
    await send('content_block_stop', { type: 'content_block_stop', index });
  }
  if (fail !== undefined) return sendError(res, send);
  await send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: msg.stop_reason, stop_sequence: null },
    usage: {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
      ...(usage.output_tokens_details ? { output_tokens_details: usage.output_tokens_details } : {}),
    },
  });
  await send('message_stop', { type: 'message_stop' });
  res.end();
}

async function sendError(res: ServerResponse, send: (event: string, data: unknown) => Promise<void>): Promise<void> {
  await send('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  res.end();
}
