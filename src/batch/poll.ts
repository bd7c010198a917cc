/**
 * The polling schedule: starts near `initialMs`, grows by `factor` up to `maxMs`, and never waits
 * longer than HARNESS_POLL_MS between two polls.
 */
export interface PollSchedule {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export function pollSchedule(config: PollSchedule, env: NodeJS.ProcessEnv = process.env): PollSchedule {
  const cap = Number(env.HARNESS_POLL_MS);
  if (!Number.isFinite(cap) || cap <= 0) return config;
  return { initialMs: Math.min(config.initialMs, cap), maxMs: Math.min(config.maxMs, cap), factor: config.factor };
}

/** The wait before poll number `n` (0-based). */
export function pollDelay(schedule: PollSchedule, n: number): number {
  return Math.min(schedule.maxMs, Math.round(schedule.initialMs * schedule.factor ** n));
}
