/**
 * Exponential backoff for restarting a failed topic: 1x, 2x, 4x ... the base delay, capped.
 * Deterministic on purpose (a single process restarting its own topics has no herd to
 * spread), which also keeps marble tests exact.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
