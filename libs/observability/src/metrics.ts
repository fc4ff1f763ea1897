import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics of each process, each process with a registry of its own that
 * holds only what that process measures (plus Node's default metrics), so an
 * operator can tell which process a series comes from: a ws node serves no
 * `mail_sent_total`, a worker no `ws_connected_clients`. The names of CONTRACT
 * section 8 are public: renaming one breaks dashboards and alerts. A metric
 * two processes measure (`outbox_events_total`: enqueued by pollers,
 * processed or failed by workers) is defined once, below, and registered by
 * both.
 */

/** What every process's metrics have. */
export interface ProcessMetrics {
  registry: Registry;
}

/** Options of the `create…Metrics` functions. */
export interface MetricsOptions {
  /** Node's default process metrics (CPU, memory, event loop). @default true */
  defaultMetrics?: boolean;
}

/** The poller's: the outbox relay and its reconciliation. */
export interface PollerMetrics extends ProcessMetrics {
  outboxEventsTotal: Counter<'type' | 'status'>;
  outboxPendingEvents: Gauge;
  outboxOldestPendingSeconds: Gauge;
  /** Not in the contract: lets operators (and tests) see that the reconciliation runs and what it repairs. */
  outboxReconcilePassesTotal: Counter;
  outboxReconcileRepairsTotal: Counter<'action'>;
  /** Not in the contract: execution reports this poller's retention deleted (with their deliveries). */
  outboxRetentionDeletedTotal: Counter;
}

/** The worker's: dispatch of outbox events (broadcast, mail). */
export interface WorkerMetrics extends ProcessMetrics {
  outboxEventsTotal: Counter<'type' | 'status'>;
  notificationErrorsTotal: Counter<'channel'>;
  executionReportDispatchSeconds: Histogram;
  mailSentTotal: Counter;
}

/** A ws node's. */
export interface WsMetrics extends ProcessMetrics {
  wsConnectedClients: Gauge;
  /** Not in the contract: reports a ws node sent to sockets in answer to `resume` (replay volume). */
  wsResumeReportsTotal: Counter;
}

/** The api's: its own (requests, order batches, intake, queue depths) are registered by `apps/api`. */
export type ApiMetrics = ProcessMetrics;

function newRegistry(options: MetricsOptions): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

const outboxEventsTotal = (registry: Registry) =>
  new Counter({
    name: 'outbox_events_total',
    help: 'Outbox events by type and the status they reached in this process',
    labelNames: ['type', 'status'],
    registers: [registry],
  });

/** A fresh registry with the poller's metrics. Each process creates one; tests create their own so counts do not leak. */
export function createPollerMetrics(options: MetricsOptions = {}): PollerMetrics {
  const registry = newRegistry(options);
  return {
    registry,
    outboxEventsTotal: outboxEventsTotal(registry),
    outboxPendingEvents: new Gauge({ name: 'outbox_pending_events', help: 'Outbox events waiting to be enqueued', registers: [registry] }),
    outboxOldestPendingSeconds: new Gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest pending outbox event in seconds (0 when none)',
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
  };
}

/** A fresh registry with the worker's metrics. */
export function createWorkerMetrics(options: MetricsOptions = {}): WorkerMetrics {
  const registry = newRegistry(options);
  return {
    registry,
    outboxEventsTotal: outboxEventsTotal(registry),
    notificationErrorsTotal: new Counter({
      name: 'notification_errors_total',
      help: 'Failed notification attempts by channel (websocket, mail)',
      labelNames: ['channel'],
      registers: [registry],
    }),
    executionReportDispatchSeconds: new Histogram({
      name: 'execution_report_dispatch_seconds',
      help: 'Time from the report commit to its outbox event being processed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    mailSentTotal: new Counter({ name: 'mail_sent_total', help: 'Execution report mails accepted by the SMTP server', registers: [registry] }),
  };
}

/** A fresh registry with a ws node's metrics. */
export function createWsMetrics(options: MetricsOptions = {}): WsMetrics {
  const registry = newRegistry(options);
  return {
    registry,
    wsConnectedClients: new Gauge({ name: 'ws_connected_clients', help: 'Sockets connected to this ws node', registers: [registry] }),
    wsResumeReportsTotal: new Counter({
      name: 'ws_resume_reports_total',
      help: 'Reports this ws node replayed to sockets in answer to resume',
      registers: [registry],
    }),
  };
}

/** A fresh registry for the api, which registers its own metrics in it. */
export function createApiMetrics(options: MetricsOptions = {}): ApiMetrics {
  return { registry: newRegistry(options) };
}
