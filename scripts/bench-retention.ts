/**
 * `npm run bench:retention [-- --rows 1000000 --rate 200 --seconds 20 --traders 20 --no-deliveries --keep --out bench-retention.json]`
 *
 * Does retention slow the live path? A fresh database gets `--rows` processed execution reports 40 days old
 * (with their two delivery records each), written in a few statements; then the live path runs (api, a ws node,
 * a poller with its own retention off, a worker and an SMTP sink, bundled like `npm run build`), driven at a
 * steady `--rate` of reports/s by crossing limit orders over REST, with one socket per trader:
 *
 * - `baseline`: `--seconds` of load, nothing deleted;
 * - `retention`: `--seconds` of the same load while this process runs `ReportRetention` (the pollers' code, its
 *   defaults: batches of 1,000) over the backlog, from its own connections.
 *
 * Per phase: commit → socket p50/p99/max (a socket's receipt minus the report's transactTime), rows deleted per
 * second, and the longest lock wait seen (pg_stat_activity sampled every 20 ms; retention's and the others').
 * Prints a summary and writes the JSON to `--out`. Ctrl-C or a failure stops everything it started.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import postgres from 'postgres';
import { io as connect, type Socket } from 'socket.io-client';
import { signToken } from '@execn/auth';
import { ReportRetention } from '@execn/outbox';
import { postOrder, quantile, sleep, waitUntil } from './bench-common';
import { API_READY, POLLER_READY, ROOT, WORKER_READY, WS_READY, bundleApps, createBenchDatabase, startChild, type Child } from './bench-pipeline-support';
import { LockWaitSampler, fillExpiredReports } from './bench-retention-support';

const SECRET = 'bench-retention-secret-0123456789-0123456789';
const RETENTION_APP = 'bench-retention';
const DAY_MS = 86_400_000;

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    traders: { type: 'string', default: '20' },
    'no-deliveries': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-retention.json' },
    keep: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const tradersN = Math.max(2, Number(values.traders) - (Number(values.traders) % 2));
if (!(rows > 0) || !(rate > 0) || !(seconds > 0)) throw new Error('--rows, --rate and --seconds take positive numbers');

const started: Child[] = [];
const sockets: Socket[] = [];
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all(started.filter((c) => c.name !== 'smtp-sink').map((c) => c.stop().catch(() => undefined)));
    await Promise.all(started.filter((c) => c.name === 'smtp-sink').map((c) => c.stop().catch(() => undefined)));
    for (const f of cleanups.reverse()) await f().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
  })());
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench-retention: ${sig}, stopping everything it started\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const log = (s: string) => process.stdout.write(s);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-retention-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const db = await createBenchDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/exec_notify', 'bench_retention');
  if (!values.keep) cleanups.push(() => db.drop());
  const sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  cleanups.push(() => sql.end({ timeout: 5 }));
  log(`bench-retention: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; database ${db.name}\n`);

  const traders = Array.from({ length: tradersN }, (_, i) => `trader-${i + 1}`);
  for (const id of traders) await sql`insert into accounts (id, email) values (${id}, ${`${id}@bench.test`})`;
  await sql`insert into instruments (symbol, tick_size) values ('RETA', '0.01'), ('RETB', '0.01')`;
  const withDeliveries = !values['no-deliveries'];
  const fillSeconds = await fillExpiredReports(sql, { accounts: traders, rows, ageDays: 40, deliveries: withDeliveries });
  log(`  filled ${rows.toLocaleString('en')} processed reports 40 days old${withDeliveries ? ' with 2 deliveries each' : ''} in ${fillSeconds.toFixed(1)} s\n`);

  const sink = await startChild('smtp-sink', path.join(ROOT, 'scripts/bench-smtp-sink.ts'), {}, /ready (\d+)/, 30_000);
  started.push(sink);
  const bundles = await bundleApps(['api', 'ws', 'poller', 'worker'], tmp);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `benchret-${Date.now().toString(36)}`,
    SMTP_URL: `smtp://127.0.0.1:${sink.ready}`,
    JWT_SECRET: SECRET,
    // The benchmark runs retention itself, in the retention phase only.
    REPORT_RETENTION_DAYS: '0',
  };
  const api = await startChild('api', bundles.api!, { ...env, API_PORT: '0' }, API_READY);
  started.push(api);
  const ws = await startChild('ws', bundles.ws!, { ...env, WS_PORT: '0' }, WS_READY);
  started.push(ws);
  started.push(await startChild('poller', bundles.poller!, { ...env, METRICS_PORT: '0' }, POLLER_READY));
  started.push(await startChild('worker', bundles.worker!, { ...env, METRICS_PORT: '0' }, WORKER_READY));

  const receipts = new Map<string, { at: number; transactTime: number }>();
  const tokens = await Promise.all(traders.map((id) => signToken(SECRET, { accountId: id, role: 'trader' }, 6 * 3600)));
  for (const token of tokens) {
    const s = connect(`http://127.0.0.1:${ws.ready}`, { transports: ['websocket'], auth: { token } });
    s.on('execution.report', (r: { eventId: string; transactTime: string }) => {
      if (!receipts.has(r.eventId)) receipts.set(r.eventId, { at: Date.now(), transactTime: Date.parse(r.transactTime) });
    });
    sockets.push(s);
  }
  await waitUntil('sockets connected', 30_000, () => sockets.every((s) => s.connected));

  const half = tradersN / 2;
  const apiPort = Number(api.ready);
  const lastEventId = async () => BigInt((await sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from outbox_events`)[0]!.id);
  /** Crossing pairs (4 reports) at `rate` reports/s for `seconds`, open loop; resolves once every answer is in. */
  const drive = async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const ordersPerSecond = rate / 2;
    const total = Math.round((ordersPerSecond * seconds) / 2) * 2;
    const pending: Promise<number>[] = [];
    const startAt = Date.now();
    for (let i = 0; i < total && !interrupted; i++) {
      const wait = startAt + (i * 1000) / ordersPerSecond - Date.now();
      if (wait > 0) await sleep(wait);
      const pair = Math.floor(i / 2);
      const buy = i % 2 === 0;
      const k = buy ? pair % half : half + (pair % half);
      const body = JSON.stringify({ symbol: pair % 2 ? 'RETA' : 'RETB', side: buy ? 'buy' : 'sell', type: 'limit', quantity: 10, price: '100.00' });
      pending.push(postOrder(agent, apiPort, tokens[k]!, body));
    }
    const statuses = await Promise.all(pending);
    agent.destroy();
    return { orders: total, errors: statuses.filter((s) => s !== 201).length };
  };

  const sampler = new LockWaitSampler(sql, db.name, RETENTION_APP);
  const results: Record<string, unknown>[] = [];
  const retentionSql = postgres(db.url, { max: 1, onnotice: () => undefined, connection: { application_name: RETENTION_APP } });
  cleanups.push(() => retentionSql.end({ timeout: 5 }));
  let deleted = 0;
  const retention = new ReportRetention({
    sql: retentionSql,
    log: pino({ level: 'silent' }),
    retentionMs: 30 * DAY_MS,
    onBatch: (n) => (deleted += n),
  });

  for (const name of ['baseline', 'retention'] as const) {
    const fromId = await lastEventId();
    const deletedBefore = deleted;
    sampler.start();
    const startAt = Date.now();
    if (name === 'retention') retention.start();
    const d = await drive();
    const driveMs = Date.now() - startAt;
    const toId = await lastEventId();
    const n = Number(toId - fromId);
    await waitUntil(`${name}: reports on sockets`, 60_000, () => [...receipts.keys()].filter((id) => BigInt(id) > fromId).length >= n);
    if (name === 'retention') await retention.stop();
    const waits = sampler.stop();
    const lat = [...receipts].filter(([id]) => BigInt(id) > fromId && BigInt(id) <= toId).map(([, r]) => r.at - r.transactTime);
    const r = {
      phase: name,
      'reports committed': n,
      'orders sent': d.orders,
      'http errors': d.errors,
      'commit→socket ms': { p50: Math.round(quantile(lat, 0.5)), p99: Math.round(quantile(lat, 0.99)), max: Math.max(...lat) },
      'rows deleted': deleted - deletedBefore,
      'rows deleted per second': Math.round(((deleted - deletedBefore) * 1000) / driveMs),
      'longest lock wait seen ms': {
        retention: waits.retentionMs,
        'live path and others (row, relation, transaction locks)': waits.othersMs,
        "api's symbol advisory lock (matching's own serialisation)": waits.symbolLockMs,
        samples: waits.samples,
      },
    };
    results.push(r);
    log(
      `  ${name.padEnd(9)} ${n} reports at ${rate}/s: sock p50 ${r['commit→socket ms'].p50} ms, p99 ${r['commit→socket ms'].p99} ms, max ${r['commit→socket ms'].max} ms; ` +
        `deleted ${r['rows deleted']} rows (${r['rows deleted per second']}/s); longest lock wait: retention ${waits.retentionMs} ms, others ${waits.othersMs} ms (symbol locks ${waits.symbolLockMs} ms); http errors ${d.errors}\n`,
    );
  }
  const [left] = await sql<{ n: string }[]>`select count(*)::text as n from outbox_events where created_at < now() - interval '30 days'`;
  log(`  expired rows left: ${left!.n}\n`);
  const outFile = path.resolve(values.out!);
  writeFileSync(outFile, `${JSON.stringify({ date: new Date().toISOString(), cores: os.cpus().length, loadavg: os.loadavg(), args: values, fillSeconds, expiredLeft: Number(left!.n), phases: results }, null, 2)}\n`);
  log(`bench-retention: JSON in ${outFile}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench-retention failed: ${String((err as Error)?.stack ?? err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (interrupted) return;
    await cleanup();
    process.exit(process.exitCode ?? 0);
  });
