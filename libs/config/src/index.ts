export { isLoopbackHost, loadConfig, loadConfigOrExit, type Config } from './load-config';
export { ConfigError } from './config-error';
export { describeRedisTarget, hashTagOf, type RedisTarget } from './redis-target';
