export { createLogger, type Logger, type LoggerOptions } from './logger';
export {
  createApiMetrics,
  createPollerMetrics,
  createWorkerMetrics,
  createWsMetrics,
  type ApiMetrics,
  type MetricsOptions,
  type PollerMetrics,
  type ProcessMetrics,
  type WorkerMetrics,
  type WsMetrics,
} from './metrics';
export { ShutdownManager } from './shutdown';
export { startHealthServer, handleHealthRequest, type HealthChecks } from './health-server';
export { ProgressMonitor } from './progress-monitor';
export { runProcess, EXIT_CODES, type ProcessSpec, type ProcessContext, type ProcessHost, type ProcessSettings } from './process-runner';
export { withDeadline } from './with-deadline';
export { lowerCpuPriority } from './cpu-priority';
export { securityHeaders, applySecurityHeaders, DATA_CSP, type CspDirectives, type CspSources } from './security-headers';
