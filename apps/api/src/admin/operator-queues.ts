import { Queue } from 'bullmq';
import type { Config } from '@execn/config';
import type { Logger } from '@execn/observability';
import { QUEUE_NAMES, closeRedisClient, createRedisClient } from '@execn/queues';

/** The api's handles on the BullMQ queues, for Bull Board and the queue-depth gauge. */
export interface OperatorQueues {
  queues: { outbox: Queue; mail: Queue };
  /** Closes the queues and their Redis connection; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens the `outbox` and `mail` queues under `QUEUE_PREFIX` on one Redis
 * connection, for reading them and letting operators act on them in Bull
 * Board (the api's own outbox jobs go through `QueueHandOff`, on a connection
 * that fails fast).
 */
export function openOperatorQueues(config: Pick<Config, 'redis' | 'queuePrefix'>, log: Logger): OperatorQueues {
  const connection = createRedisClient(config.redis, log, 'api-queues');
  const open = (name: string) => {
    const queue = new Queue(name, { connection, prefix: config.queuePrefix });
    queue.on('error', (err) => log.warn({ err, queue: name }, 'queue error'));
    return queue;
  };
  const queues = { outbox: open(QUEUE_NAMES.outbox), mail: open(QUEUE_NAMES.mail) };
  let closing: Promise<void> | undefined;
  return {
    queues,
    close: () =>
      (closing ??= (async () => {
        await Promise.all([queues.outbox.close(), queues.mail.close()]);
        await closeRedisClient(connection);
      })()),
  };
}
