export { isLoopbackHost, loadConfig, loadConfigOrExit, type Config } from './load-config';
export { ConfigError } from './config-error';
export { hashTagOf, type RedisTarget } from './redis-target';
