/**
 * Named crash points for the fault tests. `HARNESS_FAILPOINT=name` (or `name#n` for its n-th hit,
 * several comma-separated) makes the process kill itself with SIGKILL when it reaches that point,
 * so a test can stop it at an exact instant (between "batch created" and "id recorded", between
 * two files of a collect...) instead of racing a timer. Unset, it costs one env lookup.
 */
const hits = new Map<string, number>();

export function failpoint(name: string): void {
  const spec = process.env.HARNESS_FAILPOINT;
  if (!spec) return;
  const n = (hits.get(name) ?? 0) + 1;
  hits.set(name, n);
  for (const entry of spec.split(',')) {
    const [point, nth] = entry.trim().split('#');
    if (point === name && (nth === undefined || Number(nth) === n)) process.kill(process.pid, 'SIGKILL');
  }
}
