import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** Where a job stands in Redis, as far as the reconciliation cares. */
export type JobPresence = 'missing' | 'failed' | 'completed' | 'present';

/**
 * Looks up many jobs in one pipelined round trip: whether the job hash exists
 * and whether the job sits in the failed or completed set.
 */
export async function checkJobPresence(queue: Queue, jobIds: string[]): Promise<JobPresence[]> {
  if (jobIds.length === 0) return [];
  const client = (await queue.client) as unknown as Redis;
  const pipeline = client.pipeline();
  for (const id of jobIds) {
    pipeline.exists(queue.toKey(id));
    pipeline.zscore(queue.keys.failed!, id);
    pipeline.zscore(queue.keys.completed!, id);
  }
  const results = (await pipeline.exec()) ?? [];
  return jobIds.map((_, i) => {
    const [existsErr, exists] = results[i * 3] ?? [];
    const failed = results[i * 3 + 1]?.[1];
    const completed = results[i * 3 + 2]?.[1];
    if (existsErr) throw existsErr;
    if (!exists) return 'missing';
    if (failed !== null && failed !== undefined) return 'failed';
    if (completed !== null && completed !== undefined) return 'completed';
    return 'present';
  });
}
