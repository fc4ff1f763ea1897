/**
 * The Redis pub/sub key of the Socket.IO adapter (ws nodes) and emitter
 * (workers). Namespaced by QUEUE_PREFIX so two stacks can share one Redis.
 * Renaming it splits a running cluster: deploy ws nodes and workers together.
 */
export const socketIoAdapterKey = (queuePrefix: string): string => `${queuePrefix}:socket.io`;

/**
 * The pattern the classic adapter PSUBSCRIBEs to for the default namespace
 * (`<key>#/#*`, see `@socket.io/redis-adapter`): a ws node subscribes to it
 * once more, awaited, to know it hears broadcasts before it takes sockets
 * (the adapter does not await its own PSUBSCRIBE). Subscribing twice to one
 * pattern is one subscription in Redis.
 */
export const socketIoAdapterPattern = (queuePrefix: string): string => `${socketIoAdapterKey(queuePrefix)}#/#*`;
