export * from './queue-names';
export * from './job-catalog';
export { createRedisClient, closeRedisClient, type RedisClient, type RedisClientOptions } from './redis-connection';
export { socketIoAdapterKey, socketIoAdapterPattern } from './socket-channel';
export {
  registerQueueDepthMetrics,
  QUEUE_DEPTH_METRIC,
  QUEUE_DEPTH_STATES,
  type QueueDepthMetricsOptions,
} from './queue-depth-metrics';
export { checkJobPresence, deleteJobRemains, type JobPresence } from './job-presence';
