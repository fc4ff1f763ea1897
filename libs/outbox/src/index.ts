// What other packages use; the rest of the lib is its own business (its tests import files directly).
// Poller and worker:
export { POLLER_CONFIG_BLOCKS, startOutboxPoller, type OutboxPoller, type PollerConfig } from './poller-runtime';
export { ExecutionReportDispatcher } from './execution-report-dispatcher';
export { ReportMailDispatcher } from './report-mail-dispatcher';
export { pipelineDatabaseUrl } from './pipeline-database-url';
// Recovery (and the tests that drive it):
export { OutboxReconciler } from './outbox-reconciler';
export { RedisEpoch, outboxEpochKey } from './redis-epoch';
export { claimPendingEvents } from './claim-pending-events';
export { QueueHandOff, type QueueHandOffOptions } from './outbox-hand-off';
// Retention (the pollers run it; the retention benchmark drives it):
export { ReportRetention, type ReportRetentionOptions, type RetentionPass } from './report-retention';
// Admin operations (api): browse, inspect, requeue, stats.
export { listOutboxEvents } from './list-events';
export { getEventWithDeliveries, type EventWithDeliveries } from './get-event-with-deliveries';
export { getOutboxStats, type OutboxStats } from './outbox-stats';
export type { OutboxEventView } from './outbox-event-view';
export { requeueEvent } from './requeue-event';
export { requeueEvents } from './requeue-events';
