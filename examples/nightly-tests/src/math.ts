/** Integer helpers. */
export function clamp(value: number, min: number, max: number): number {
  if (min > max) throw new RangeError('min > max');
  return Math.min(max, Math.max(min, value));
}

export function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
