export { isLoopbackHost, type ConfigBlockName } from './blocks';
export { loadConfig, loadConfigOf, loadConfigOrExit, type Config, type ConfigOf } from './load-config';
export { ConfigError } from './config-error';
export { hashTagOf, type RedisTarget } from './redis-target';
