import { Router } from 'express';

const items = new Map();
let nextId = 1;

export const itemsRouter = Router();

itemsRouter.get('/', (_req, res) => {
  res.json([...items.values()]);
});

itemsRouter.get('/:id', (req, res) => {
  const item = items.get(Number(req.params.id));
  if (!item) return res.status(404).json({ error: 'not found' });
  res.json(item);
});

itemsRouter.post('/', (req, res) => {
  const { sku, quantity } = req.body ?? {};
  if (typeof sku !== 'string' || !Number.isInteger(quantity)) {
    return res.status(400).json({ error: 'sku (string) and quantity (integer) are required' });
  }
  const item = { id: nextId++, sku, quantity };
  items.set(item.id, item);
  res.status(201).json(item);
});

itemsRouter.delete('/:id', (req, res) => {
  items.delete(Number(req.params.id));
  res.status(204).end();
});
