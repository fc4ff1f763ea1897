import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { uniquePrefix, waitFor } from '@execn/testing';
import { registerQueueDepthMetrics } from './queue-depth-metrics';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe('registerQueueDepthMetrics', () => {
  const prefix = uniquePrefix('qdepth');
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const outbox = new Queue('outbox', { connection, prefix });
  const mail = new Queue('mail', { connection, prefix });

  afterAll(async () => {
    await outbox.obliterate({ force: true });
    await mail.obliterate({ force: true });
    await outbox.close();
    await mail.close();
    await connection.quit();
  });

  it('exports waiting, active, delayed, failed and completed per queue, read on scrape', async () => {
    const registry = new Registry();
    registerQueueDepthMetrics(registry, [outbox, mail]);
    await outbox.add('a', {});
    await outbox.add('b', {});
    await mail.add('boom', {}, { attempts: 1 });
    const workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const worker = new Worker('mail', async () => Promise.reject(new Error('550 no such user')), { connection: workerConnection, prefix });
    try {
      await waitFor(async () => (await mail.getFailedCount()) === 1, 10_000, 'the mail job to fail');
    } finally {
      await worker.close();
      await workerConnection.quit();
    }
    await outbox.add('later', {}, { delay: 60_000 });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE bullmq_queue_jobs gauge');
    expect(text).toContain('bullmq_queue_jobs{queue="outbox",state="waiting"} 2');
    expect(text).toContain('bullmq_queue_jobs{queue="outbox",state="delayed"} 1');
    expect(text).toContain('bullmq_queue_jobs{queue="outbox",state="failed"} 0');
    expect(text).toContain('bullmq_queue_jobs{queue="mail",state="failed"} 1');
    expect(text).toContain('bullmq_queue_jobs{queue="mail",state="active"} 0');
    expect(text).toContain('bullmq_queue_jobs{queue="mail",state="completed"} 0');
  });

  it('answers without the samples when Redis does not answer in time', async () => {
    // A Redis that never answers: BullMQ would wait forever (maxRetriesPerRequest null). Faked, because a
    // real unreachable Redis leaves reconnect timers behind that outlive the test.
    const stuck = { name: 'outbox', getJobCounts: () => new Promise<never>(() => undefined) } as unknown as Queue;
    const errors: string[] = [];
    const registry = new Registry();
    registerQueueDepthMetrics(registry, [stuck, mail], { timeoutMs: 200, onError: (_err, q) => errors.push(q) });
    const text = await registry.metrics();
    expect(text).not.toContain('bullmq_queue_jobs{queue="outbox"');
    expect(text).toContain('bullmq_queue_jobs{queue="mail",state="failed"} 1');
    expect(errors).toEqual(['outbox']);
  });
});
