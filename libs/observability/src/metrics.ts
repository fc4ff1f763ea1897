import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The public metrics of CONTRACT section 8. Their names are part of the
 * contract: renaming one breaks dashboards and alerts.
 */
export interface Metrics {
  registry: Registry;
  outboxEventsTotal: Counter<'type' | 'status'>;
  notificationErrorsTotal: Counter<'channel'>;
  outboxPendingEvents: Gauge;
  outboxOldestPendingSeconds: Gauge;
  executionReportDispatchSeconds: Histogram;
  mailSentTotal: Counter;
  wsConnectedClients: Gauge;
  /** Not in the contract: lets operators (and tests) see that the reconciliation runs and what it repairs. */
  outboxReconcilePassesTotal: Counter;
  outboxReconcileRepairsTotal: Counter<'action'>;
  /** Not in the contract: execution reports this poller's retention deleted (with their deliveries). */
  outboxRetentionDeletedTotal: Counter;
  /** Not in the contract: reports a ws node sent to sockets in answer to `resume` (replay volume). */
  wsResumeReportsTotal: Counter;
}

/**
 * A fresh registry with the contract's metrics and Node's default ones.
 * Each process creates one; tests create their own so counts do not leak.
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    outboxEventsTotal: new Counter({
      name: 'outbox_events_total',
      help: 'Outbox events by type and the status they reached in this process',
      labelNames: ['type', 'status'],
      registers: [registry],
    }),
    notificationErrorsTotal: new Counter({
      name: 'notification_errors_total',
      help: 'Failed notification attempts by channel (websocket, mail)',
      labelNames: ['channel'],
      registers: [registry],
    }),
    outboxPendingEvents: new Gauge({
      name: 'outbox_pending_events',
      help: 'Outbox events waiting to be enqueued',
      registers: [registry],
    }),
    outboxOldestPendingSeconds: new Gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest pending outbox event in seconds (0 when none)',
      registers: [registry],
    }),
    executionReportDispatchSeconds: new Histogram({
      name: 'execution_report_dispatch_seconds',
      help: 'Time from the report commit to its outbox event being processed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    mailSentTotal: new Counter({
      name: 'mail_sent_total',
      help: 'Execution report mails accepted by the SMTP server',
      registers: [registry],
    }),
    wsConnectedClients: new Gauge({
      name: 'ws_connected_clients',
      help: 'Sockets connected to this ws node',
      registers: [registry],
    }),
    outboxReconcilePassesTotal: new Counter({
      name: 'outbox_reconcile_passes_total',
      help: 'Outbox reconciliation passes this poller completed',
      registers: [registry],
    }),
    outboxReconcileRepairsTotal: new Counter({
      name: 'outbox_reconcile_repairs_total',
      help: 'What the outbox reconciliation repaired: reset_to_pending (job lost), marked_failed, mail_readded',
      labelNames: ['action'],
      registers: [registry],
    }),
    outboxRetentionDeletedTotal: new Counter({
      name: 'outbox_retention_deleted_total',
      help: 'Processed execution reports this poller deleted past REPORT_RETENTION_DAYS (with their deliveries)',
      registers: [registry],
    }),
    wsResumeReportsTotal: new Counter({
      name: 'ws_resume_reports_total',
      help: 'Reports this ws node replayed to sockets in answer to resume',
      registers: [registry],
    }),
  };
}
