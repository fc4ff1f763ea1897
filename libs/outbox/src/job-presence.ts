import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Where a job stands in Redis, as far as the reconciliation cares. */
export type JobPresence = 'missing' | 'failed' | 'completed' | 'present';

/**
 * Looks up many jobs in one pipelined round trip, with O(1)/O(log n) commands
 * only (BullMQ's own state lookup scans the wait list, which a reconciliation
 * of a large backlog cannot afford): a job is `missing` when its hash is gone
 * or has no `data` (a remnant re-created by a late write after a wipe), and
 * `failed`/`completed` when it sits in that set.
 */
export async function checkJobPresence(queue: Queue, jobIds: string[]): Promise<JobPresence[]> {
  if (jobIds.length === 0) return [];
  const client = (await queue.client) as unknown as Redis;
  const pipeline = client.pipeline();
  for (const id of jobIds) {
    pipeline.hexists(queue.toKey(id), 'data');
    pipeline.zscore(queue.keys.failed!, id);
    pipeline.zscore(queue.keys.completed!, id);
  }
  const results = (await pipeline.exec()) ?? [];
  return jobIds.map((_, i) => {
    const [err, hasData] = results[i * 3] ?? [];
    if (err) throw err;
    if (!hasData) return 'missing';
    if (results[i * 3 + 1]?.[1] != null) return 'failed';
    if (results[i * 3 + 2]?.[1] != null) return 'completed';
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
