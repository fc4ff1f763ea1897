import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Where a job stands in Redis, as far as the reconciliation cares. */
export type JobPresence = 'missing' | 'failed' | 'completed' | 'present';

/**
 * Looks up many jobs' states. A job counts as present only when it sits in one
 * of the queue's lists or sets (BullMQ's own state script): a bare job hash
 * left behind by a wipe or an eviction mid-write is `missing`, since no worker
 * would ever take it. Commands are issued together, so ioredis pipelines them.
 */
export async function checkJobPresence(queue: Queue, jobIds: string[]): Promise<JobPresence[]> {
  const states = await Promise.all(jobIds.map((id) => queue.getJobState(id)));
  return states.map((state) => {
    if (state === 'unknown') return 'missing';
    if (state === 'failed' || state === 'completed') return state;
    return 'present';
  });
}

/**
 * Deletes what may be left of missing jobs (a hash without a list entry), so
 * adding them again under the same id is not mistaken for a duplicate.
 */
export async function deleteJobRemains(queue: Queue, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  const client = (await queue.client) as unknown as Redis;
  await client.del(...jobIds.flatMap((id) => [queue.toKey(id), `${queue.toKey(id)}:lock`, `${queue.toKey(id)}:logs`]));
}
