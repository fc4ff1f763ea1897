/** Most `outbox` jobs one BullMQ Worker (one fetch loop) holds at once. */
export const MAX_JOBS_PER_FETCH_LOOP = 20;

/**
 * Splits a process's `outbox` concurrency over several BullMQ Workers of at
 * most `MAX_JOBS_PER_FETCH_LOOP` each. Why: a BullMQ Worker fetches jobs one
 * round trip after another while the queue has some and it has room, and only
 * starts a fetched job between fetch streaks; with room for 100 and jobs
 * arriving steadily (live trading), a job waits behind up to 99 fetches before
 * it starts. Several smaller loops keep the same number of jobs in flight
 * (drain throughput) with short streaks (live latency).
 */
export function splitConcurrency(total: number): number[] {
  const loops = Math.max(1, Math.ceil(total / MAX_JOBS_PER_FETCH_LOOP));
  return Array.from({ length: loops }, (_, i) => Math.floor(total / loops) + (i < total % loops ? 1 : 0));
}
