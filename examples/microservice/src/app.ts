import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const routes = new Map<string, Handler>();

/** Registers a handler for `METHOD /path`. Route modules call this at import time. */
export function route(method: string, path: string, handler: Handler): void {
  routes.set(`${method.toUpperCase()} ${path}`, handler);
}

export function createApp() {
  return createServer(async (req, res) => {
    const handler = routes.get(`${req.method ?? 'GET'} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    await handler(req, res);
  });
}
