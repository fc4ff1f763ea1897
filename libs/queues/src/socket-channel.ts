/**
 * The Redis pub/sub key of the Socket.IO adapter (ws nodes) and emitter
 * (workers). Namespaced by QUEUE_PREFIX so two stacks can share one Redis.
 * Renaming it splits a running cluster: deploy ws nodes and workers together.
 */
export const socketIoAdapterKey = (queuePrefix: string): string => `${queuePrefix}:socket.io`;
