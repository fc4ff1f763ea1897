export { createLogger, type Logger, type LoggerOptions } from './logger';
export { createMetrics, type Metrics } from './metrics';
export { ShutdownManager } from './shutdown';
export { startHealthServer, handleHealthRequest, type HealthChecks } from './health-server';
export { ProgressMonitor } from './progress-monitor';
export { runProcess, EXIT_CODES, type ProcessSpec, type ProcessContext, type ProcessHost, type ProcessSettings } from './process-runner';
export { withDeadline } from './with-deadline';
export { securityHeaders, applySecurityHeaders, DATA_CSP, type CspDirectives, type CspSources } from './security-headers';
