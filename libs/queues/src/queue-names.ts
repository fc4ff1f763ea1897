/**
 * Queue names. WARNING: renaming a queue is a migration: jobs waiting under the
 * old name are stranded (the outbox reconciliation would re-enqueue them).
 */
export const QUEUE_NAMES = { outbox: 'outbox', mail: 'mail' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
