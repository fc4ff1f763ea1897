import { createTestDatabase, startAppProcess, uniquePrefix, type AppProcess, type TestDatabase } from '@execn/testing';

/**
 * Issue 14 item 5: each process serves only its own metrics, so an operator
 * can tell which process a series belongs to (a ws node with no
 * `mail_sent_total`, a worker with no `ws_connected_clients`). Starts the four
 * apps as the processes they are and reads each one's `/metrics`; together
 * they still serve every public name of CONTRACT section 8.
 */
const OWN: Record<string, string[]> = {
  api: ['bullmq_queue_jobs', 'http_request_duration_seconds', 'order_batch_size', 'order_intake_refused_total'],
  ws: ['ws_connected_clients', 'ws_resume_reports_total'],
  poller: [
    'outbox_events_total',
    'outbox_oldest_pending_seconds',
    'outbox_pending_events',
    'outbox_reconcile_passes_total',
    'outbox_reconcile_repairs_total',
    'outbox_retention_deleted_total',
  ],
  worker: ['execution_report_dispatch_seconds', 'mail_sent_total', 'notification_errors_total', 'outbox_events_total'],
};
const CONTRACT_NAMES = [
  'outbox_events_total',
  'notification_errors_total',
  'outbox_pending_events',
  'outbox_oldest_pending_seconds',
  'execution_report_dispatch_seconds',
  'mail_sent_total',
  'ws_connected_clients',
];

let db: TestDatabase;
const apps: AppProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ max: 1 });
}, 60_000);
afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await db?.drop();
});

/** The metric names a `/metrics` text declares, without Node's default ones (`process_*`, `nodejs_*`). */
async function ownMetricNames(port: number): Promise<string[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return [...text.matchAll(/^# TYPE (\S+) /gm)]
    .map((m) => m[1]!)
    .filter((name) => !/^(process|nodejs)_/.test(name))
    .sort();
}

it('serves on each process’s /metrics only that process’s metrics, and every public name on one of them', async () => {
  const env = {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '2',
    QUEUE_PREFIX: uniquePrefix('permetrics'),
    JWT_SECRET: 'test-secret-for-process-metrics-0123456789abcdef',
    API_PORT: '0',
    WS_PORT: '0',
    METRICS_PORT: '0',
  };
  const started = await Promise.all([
    startAppProcess('api', env, /api listening/),
    startAppProcess('ws', env, /ws node listening/),
    startAppProcess('poller', env, /metrics and health listening/),
    startAppProcess('worker', env, /metrics and health listening/),
  ]);
  apps.push(...started);
  const served: Record<string, string[]> = {};
  for (const app of started) served[app.name] = await ownMetricNames(app.port!);
  expect(served).toEqual(OWN);
  const union = new Set(Object.values(served).flat());
  expect(CONTRACT_NAMES.filter((n) => !union.has(n))).toEqual([]);
}, 90_000);
