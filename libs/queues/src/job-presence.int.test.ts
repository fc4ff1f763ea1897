import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { uniquePrefix } from '@execn/testing';
import { checkJobPresence } from './job-presence';

describe('checkJobPresence (real Redis)', () => {
  const prefix = uniquePrefix('presence');
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queue = new Queue('outbox', { connection: redis, prefix });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  // Ids as the relay makes them (`ev-<id>-g<gen>`): a bare 'delayed' would be BullMQ's own key.
  it('tells waiting and delayed jobs from missing ones and from husks no list holds', async () => {
    await queue.add('dispatch', { n: 1 }, { jobId: 'ev-1-g1' });
    await queue.add('dispatch', { n: 2 }, { jobId: 'ev-2-g1', delay: 60_000 });
    await queue.add('dispatch', { n: 3 }, { jobId: 'ev-3-g1' });
    await queue.add('dispatch', { n: 4 }, { jobId: 'ev-4-g1' });
    // What an eviction (or a wipe racing an add) can leave: the hash, without its wait-list entry.
    await redis.lrem(queue.keys.wait!, 0, 'ev-3-g1');
    await redis.del(queue.toKey('ev-4-g1'));

    expect(await checkJobPresence(queue, ['ev-1-g1', 'ev-2-g1', 'ev-3-g1', 'ev-4-g1', 'ev-5-g1'])).toEqual([
      'present',
      'present',
      'missing',
      'missing',
      'missing',
    ]);
  });
});
