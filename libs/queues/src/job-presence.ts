import type { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection';

/** Where a job stands in Redis, as far as the reconciliation cares. */
export type JobPresence = 'missing' | 'failed' | 'completed' | 'present';

/**
 * Looks up many jobs in one pipelined round trip, with O(1)/O(log n) commands
 * only (BullMQ's own state lookup scans the wait list, which a reconciliation
 * of a large backlog cannot afford): a job is `missing` when its hash is gone
 * or has no `data` (a remnant re-created by a late write after a wipe), and
 * `failed`/`completed` when it sits in that set. The jobs that look present
 * are then checked against the lists and sets a job can wait in (see
 * `findUnlistedJobs`): a hash that is in none of them is never processed, so
 * it counts as `missing` too.
 */
export async function checkJobPresence(queue: Queue, jobIds: string[]): Promise<JobPresence[]> {
  if (jobIds.length === 0) return [];
  const client = (await queue.client) as unknown as RedisClient;
  const pipeline = client.pipeline();
  for (const id of jobIds) {
    pipeline.hexists(queue.toKey(id), 'data');
    pipeline.zscore(queue.keys.failed!, id);
    pipeline.zscore(queue.keys.completed!, id);
  }
  const results = (await pipeline.exec()) ?? [];
  const presence: JobPresence[] = jobIds.map((_, i) => {
    const [err, hasData] = results[i * 3] ?? [];
    if (err) throw err;
    if (!hasData) return 'missing';
    if (results[i * 3 + 1]?.[1] != null) return 'failed';
    if (results[i * 3 + 2]?.[1] != null) return 'completed';
    return 'present';
  });
  const present = jobIds.filter((_, i) => presence[i] === 'present');
  const unlisted = new Set(await findUnlistedJobs(client, queue, present));
  return presence.map((p, i) => (p === 'present' && unlisted.has(jobIds[i]!) ? 'missing' : p));
}

/** The lists a waiting or running job is in; a job in none of these nor in the sets below is stranded. */
const LISTS = ['wait', 'active', 'paused'] as const;
const SETS = ['delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/**
 * The jobs among `jobIds` whose hash exists but that sit in no list or set of
 * the queue: a "husk" left when a wipe or an eviction took the wait list but
 * not the hash (or a job was added while keys were being deleted). BullMQ never
 * picks such a job up. One MULTI, so no job is seen mid-move between two keys;
 * LPOS is O(n) in the list, which is why only the few jobs still in flight past
 * their lease are checked here.
 */
async function findUnlistedJobs(client: RedisClient, queue: Queue, jobIds: string[]): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const keys = queue.keys as Record<string, string | undefined>;
  const lists = LISTS.map((k) => keys[k]).filter((k): k is string => k !== undefined);
  const sets = SETS.map((k) => keys[k]).filter((k): k is string => k !== undefined);
  const multi = client.multi();
  for (const id of jobIds) {
    for (const list of lists) multi.lpos(list, id);
    for (const set of sets) multi.zscore(set, id);
  }
  const replies = (await multi.exec()) ?? [];
  const per = lists.length + sets.length;
  return jobIds.filter((_, i) => {
    const mine = replies.slice(i * per, (i + 1) * per);
    for (const [err] of mine) if (err) throw err;
    return mine.every(([, value]) => value === null);
  });
}

/**
 * Deletes what may be left of missing jobs (a hash without a list entry), so
 * adding them again under the same id is not mistaken for a duplicate.
 */
export async function deleteJobRemains(queue: Queue, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  const client = (await queue.client) as unknown as RedisClient;
  await client.del(...jobIds.flatMap((id) => [queue.toKey(id), `${queue.toKey(id)}:lock`, `${queue.toKey(id)}:logs`]));
}
