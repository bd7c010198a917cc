/** Rejects requests without the expected x-api-key header (the key comes from the environment). */
export function requireApiKey(req, res, next) {
  const expected = process.env.INVENTORY_API_KEY;
  if (!expected || req.get('x-api-key') !== expected) {
    res.status(401).json({ error: 'unauthorized' });
    return;
  }
  next();
}
