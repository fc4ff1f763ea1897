/**
 * The yardstick of `bench-pipeline`: a BullMQ worker whose jobs do nothing, in
 * its own process, on the same Redis. Prints `noop worker ready`, then one
 * JSON line `{"firstJobAt": ms}` at its first job; SIGTERM closes it.
 * Env: REDIS_URL, QUEUE_PREFIX, QUEUE_NAME, WORKER_CONCURRENCY.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const env = process.env;
const connection = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
connection.on('error', () => undefined);
let first = true;
const worker = new Worker(
  env.QUEUE_NAME ?? 'yardstick',
  async () => {
    if (first) {
      first = false;
      process.stdout.write(`${JSON.stringify({ firstJobAt: Date.now() })}\n`);
    }
  },
  { connection, prefix: env.QUEUE_PREFIX ?? 'bull', concurrency: Number(env.WORKER_CONCURRENCY ?? 50) },
);
worker.on('error', () => undefined);
void worker.waitUntilReady().then(() => process.stdout.write('noop worker ready\n'));
process.on('SIGTERM', () => {
  void worker.close().then(async () => {
    await connection.quit();
    process.exit(0);
  });
});
