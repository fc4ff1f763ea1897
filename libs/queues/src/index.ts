export * from './queue-names';
export * from './job-catalog';
export { createRedisConnection } from './redis-connection';
export { socketIoAdapterKey } from './socket-channel';
