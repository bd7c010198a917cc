import express from 'express';
import { requireApiKey } from './middleware/auth.js';
import { itemsRouter } from './routes/items.js';
import { healthRouter } from './routes/health.js';

export function createServer() {
  const app = express();
  app.use(express.json());
  app.use('/health', healthRouter);
  app.use('/items', requireApiKey, itemsRouter);
  app.use((err, _req, res, _next) => {
    res.status(err.status ?? 500).json({ error: err.message });
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  createServer().listen(3000, () => console.log('listening on :3000'));
}
