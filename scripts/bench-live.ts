/**
 * `npm run bench:live [-- --levels 100,250,500,750,1000,1500 --seconds 15 --out bench-live.json]`
 *
 * Run by `node --import tsx`, not the `tsx` CLI: on Ctrl-C the CLI SIGKILLs a child that does not
 * acknowledge the signal within ~60 ms, which a loaded machine misses, and the cleanup would not run.
 *
 * The reference benchmark of the live path (issue 9): the stack as `npm start`
 * runs it, each app a separate process with default settings (bundled like
 * `npm run build`): a fresh database on the PostgreSQL of DATABASE_URL, a
 * private Redis (or `--redis-url`), the api, 2 ws nodes, 1 poller, 2 workers,
 * and an SMTP sink process that accepts every mail. Traders' sockets are
 * connected to both ws nodes; crossing pairs of limit orders (4 reports each)
 * go through the REST api on an open-loop schedule at each level of reports/s,
 * then an idle probe (one order every 100 ms) and a burst of 3,000 orders over
 * 16 connections on 4 symbols. Per phase: committed and delivered rates,
 * commit → socket and commit → mail latency, CPU ms per report per process,
 * PostgreSQL and Redis work per report. Prints one row per phase and writes
 * everything as JSON to `--out`.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { io as connect, type Socket } from 'socket.io-client';
import { signToken } from '@execn/auth';
import { cpuMs, postOrder, quantile, sleep, waitUntil } from './bench-common';
import { PostgresCpu, deltas, enablePgStatStatements, pgCounters, redisCommandCalls, redisUsedMemory, rssMb, RowPrinter, type PgCounters } from './bench-live-support';
import { workerRoleEnv } from './stack/stack-plan';
import { runLoad } from './bench-orders-support';
import { API_READY, POLLER_READY, ROOT, WORKER_READY, WS_READY, bundleApps, cpuMsByCommand, createBenchDatabase, startChild, startProcess, type Child } from './bench-pipeline-support';
import { findFreePort } from '@execn/testing';

const SECRET = 'bench-live-secret-0123456789-0123456789-0123';
const SYMBOLS = ['LIVEA', 'LIVEB', 'LIVEC', 'LIVED'];
const MAX_IN_FLIGHT = 256;

const { values } = parseArgs({
  options: {
    levels: { type: 'string', default: '100,250,500,750,1000,1500' },
    seconds: { type: 'string', default: '15' },
    'warmup-seconds': { type: 'string', default: '5' },
    'idle-seconds': { type: 'string', default: '5' },
    'burst-orders': { type: 'string', default: '3000' },
    traders: { type: 'string', default: '50' },
    // Topology, for the capacity model (docs/capacity.md): worker processes, ws nodes, and sockets that are
    // connected (each its own account, spread over the ws nodes) but receive nothing.
    workers: { type: 'string', default: '2' },
    // `split` (as `npm start`): the last worker sends the mail at a lower CPU priority, the others dispatch;
    // `both`: every worker consumes both queues at the default priority (stack-plan's `workerRoleEnv`).
    'worker-roles': { type: 'string', default: 'split' },
    'ws-nodes': { type: 'string', default: '2' },
    'idle-sockets': { type: 'string', default: '0' },
    // Reports committed with the workers stopped (SIGSTOP), then drained: the drain rate to sockets and mail,
    // and Redis memory per queued report. 0 skips the phase.
    backlog: { type: 'string', default: '10000' },
    settle: { type: 'string', default: '11' },
    out: { type: 'string', default: 'bench-live.json' },
    'redis-url': { type: 'string' },
    analyze: { type: 'string', default: 'auto' },
    keep: { type: 'boolean', default: false },
  },
});
const levels = values.levels!.split(',').filter(Boolean).map(Number);
const seconds = Number(values.seconds);
const tradersN = Math.max(2, Number(values.traders) - (Number(values.traders) % 2));
if (levels.some((l) => !(l > 0)) || !(seconds > 0)) throw new Error('--levels takes reports/s like 100,500 and --seconds a positive number');
const workerCount = Number(values.workers);
const wsCount = Number(values['ws-nodes']);
const idleSocketCount = Number(values['idle-sockets']);
if (![workerCount, wsCount].every((n) => Number.isInteger(n) && n >= 1) || !(Number.isInteger(idleSocketCount) && idleSocketCount >= 0)) {
  throw new Error('--workers and --ws-nodes take a positive integer, --idle-sockets a non-negative one');
}
if (!['split', 'both'].includes(values['worker-roles']!)) throw new Error('--worker-roles takes split or both');
const wsNames = Array.from({ length: wsCount }, (_, i) => `ws-${i + 1}`);
const workerNames = Array.from({ length: workerCount }, (_, i) => `worker-${i + 1}`);
/** Processes whose CPU counts as the stack's (the load generator and the SMTP sink do not). */
const STACK = ['api', ...wsNames, 'poller', ...workerNames, 'postgres', 'postgres-shared', 'redis-server'];

interface Receipt {
  at: number;
  transactTime: number;
}

/** Everything started, stopped in reverse order on exit, failure or Ctrl-C. */
const started: Child[] = [];
const sockets: Socket[] = [];
/** Connections closed before the processes stop, then the rest (database drop, temp files) after. */
const closers: (() => Promise<void>)[] = [];
const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const s of sockets) s.disconnect();
    for (const f of closers) await f().catch(() => undefined);
    // The apps together (each gets SIGTERM, SIGKILL 12 s later), then the SMTP sink and Redis they used.
    const services = new Set(['redis-server', 'smtp-sink']);
    await Promise.all(started.filter((c) => !services.has(c.name)).map((c) => c.stop().catch(() => undefined)));
    await Promise.all(started.filter((c) => services.has(c.name)).map((c) => c.stop().catch(() => undefined)));
    for (const f of cleanups.reverse()) await f().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
  })();
  return cleaning;
}
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench-live: ${sig}, stopping everything it started\n`);
    const force = setTimeout(() => {
      for (const c of started) c.child.kill('SIGKILL');
      process.exit(130);
    }, 30_000);
    void cleanup().finally(() => {
      clearTimeout(force);
      process.exit(130);
    });
  });
}
function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/exec_notify';
  const log = (s: string) => process.stdout.write(s);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-live-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));

  // Redis: a private server (so its CPU and command counts are this benchmark's alone) unless --redis-url.
  let redisUrl = values['redis-url'];
  let redisPid: number | undefined;
  if (!redisUrl) {
    const port = await findFreePort();
    const redisServer = await startProcess(
      'redis-server',
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', tmp],
      process.env,
      /Ready to accept connections()/,
      15_000,
    );
    started.push(redisServer);
    redisUrl = `redis://127.0.0.1:${port}`;
    redisPid = redisServer.pid;
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3, connectTimeout: 5_000 });
  redis.on('error', () => undefined); // a command that fails still rejects
  closers.push(async () => void redis.disconnect());

  const db = await createBenchDatabase(base, 'bench_live');
  if (!values.keep) cleanups.push(() => db.drop());
  // One connection, so the benchmark's own backend is known and left out of PostgreSQL's CPU.
  const sql = postgres(db.url, { max: 1, onnotice: () => undefined, idle_timeout: 0 });
  closers.push(() => sql.end({ timeout: 5 }));
  const [me] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const pgCpu = new PostgresCpu(db.name, new Set([me!.pid]));
  const withStatements = await enablePgStatStatements(sql);
  // With autovacuum off (as on some test servers) no table is ever analyzed and plans drift as tables grow;
  // `--analyze auto` then does what autovacuum would: ANALYZE in the settle after each phase (outside the CPU windows).
  const [av] = await sql<{ v: string }[]>`select current_setting('autovacuum') as v`;
  const analyze = values.analyze === 'on' || (values.analyze === 'auto' && av!.v !== 'on');

  const traders = Array.from({ length: tradersN }, (_, i) => `trader-${i + 1}`);
  for (const id of traders) await sql`insert into accounts (id, email) values (${id}, ${`${id}@bench.test`})`;
  for (const s of SYMBOLS) await sql`insert into instruments (symbol, tick_size) values (${s}, '0.01')`;

  const sink = await startChild('smtp-sink', path.join(ROOT, 'scripts/bench-smtp-sink.ts'), {}, /ready (\d+)/, 30_000);
  started.push(sink);
  const mailAt = new Map<string, number>();
  // Reports of the running phase (event ids above `phaseFrom`) seen so far, counted as they arrive.
  let phaseFrom = 0n;
  const arrived = { sockets: 0, mails: 0 };
  let sinkBuf = '';
  sink.child.stdout!.on('data', (d: Buffer) => {
    sinkBuf += d.toString();
    const lines = sinkBuf.split('\n');
    sinkBuf = lines.pop()!;
    for (const line of lines) {
      const m = /^m (\d+) (\d+)$/.exec(line);
      if (!m) continue;
      mailAt.set(m[1]!, Number(m[2]));
      if (BigInt(m[1]!) > phaseFrom) arrived.mails++;
    }
  });

  const bundles = await bundleApps(['api', 'ws', 'poller', 'worker'], tmp);
  const prefix = `benchlive-${Date.now().toString(36)}`;
  // Wiring only: where the services are, the token secret, free ports. Everything else is the default.
  const env = { DATABASE_URL: db.url, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, SMTP_URL: `smtp://127.0.0.1:${sink.ready}`, JWT_SECRET: SECRET };
  const api = await startChild('api', bundles.api!, { ...env, API_PORT: '0' }, API_READY);
  started.push(api);
  const wsNodes: Child[] = [];
  for (let i = 1; i <= wsCount; i++) {
    const ws = await startChild(`ws-${i}`, bundles.ws!, { ...env, WS_PORT: '0' }, WS_READY);
    started.push(ws);
    wsNodes.push(ws);
  }
  const poller = await startChild('poller', bundles.poller!, { ...env, METRICS_PORT: '0' }, POLLER_READY);
  started.push(poller);
  const workers: Child[] = [];
  const mailRole = values['worker-roles'] === 'split' ? workerRoleEnv(workerCount - 1, workerCount, process.env) : {};
  for (let i = 1; i <= workerCount; i++) {
    const roles = values['worker-roles'] === 'split' ? workerRoleEnv(i - 1, workerCount, process.env) : {};
    const w = await startChild(`worker-${i}`, bundles.worker!, { ...env, ...roles, METRICS_PORT: '0' }, WORKER_READY);
    started.push(w);
    workers.push(w);
  }
  const apps = [api, ...wsNodes, poller, ...workers];

  // One socket per trader, alternately on each ws node (a buyer and its seller land on different nodes).
  const receipts = new Map<string, Receipt>();
  let duplicates = 0;
  const tokens = await Promise.all(traders.map((id) => signToken(SECRET, { accountId: id, role: 'trader' }, 6 * 3600)));
  traders.forEach((_, i) => {
    const s = connect(`http://127.0.0.1:${wsNodes[i % wsCount]!.ready}`, { transports: ['websocket'], auth: { token: tokens[i] } });
    s.on('execution.report', (r: { eventId: string; transactTime: string }) => {
      if (receipts.has(r.eventId)) duplicates++;
      else {
        receipts.set(r.eventId, { at: Date.now(), transactTime: Date.parse(r.transactTime) });
        if (BigInt(r.eventId) > phaseFrom) arrived.sockets++;
      }
    });
    sockets.push(s);
  });
  await waitUntil('sockets connected', 30_000, () => sockets.every((s) => s.connected));
  // Sockets that stay connected and receive nothing (their accounts place no orders): what a ws node holds
  // per connection (RSS) and whether idle connections cost CPU per report (they should not: rooms are local).
  const rssBefore = Object.fromEntries(wsNodes.map((w) => [w.name, rssMb(w.pid)]));
  if (idleSocketCount > 0) {
    await sql`insert into accounts (id, email) select 'idle-' || i, 'idle-' || i || '@bench.test' from generate_series(1, ${idleSocketCount}) i`;
    for (let i = 0; i < idleSocketCount; i += 200) {
      const chunk = Array.from({ length: Math.min(200, idleSocketCount - i) }, (_, j) => i + j);
      const idleTokens = await Promise.all(chunk.map((k) => signToken(SECRET, { accountId: `idle-${k + 1}`, role: 'trader' }, 6 * 3600)));
      chunk.forEach((k, j) => sockets.push(connect(`http://127.0.0.1:${wsNodes[k % wsCount]!.ready}`, { transports: ['websocket'], auth: { token: idleTokens[j] } })));
      await waitUntil('idle sockets connected', 60_000, () => sockets.every((s) => s.connected));
    }
    await sleep(2_000);
  }
  const wsRssMb = Object.fromEntries(wsNodes.map((w) => [w.name, { before: rssBefore[w.name], after: rssMb(w.pid) }]));

  // Buyers are the first half of the traders, sellers the second: no order can meet its own account's.
  const half = tradersN / 2;
  const order = (i: number) => {
    const pair = Math.floor(i / 2);
    const buy = i % 2 === 0;
    const k = buy ? pair % half : half + (pair % half);
    const body = JSON.stringify({ symbol: SYMBOLS[pair % SYMBOLS.length], side: buy ? 'buy' : 'sell', type: 'limit', quantity: 10, price: '100.00' });
    return { token: tokens[k]!, body };
  };
  const apiPort = Number(api.ready);

  const snapshotCpu = (): Record<string, number> => {
    const snap: Record<string, number> = {};
    for (const c of apps) snap[c.name] = cpuMs(c.pid);
    const pg = pgCpu.totals();
    snap.postgres = pg.backends;
    snap['postgres-shared'] = pg.shared;
    snap['postgres (whole server, incl. other users)'] = pg.server;
    snap['redis-server'] = redisPid ? cpuMs(redisPid) : cpuMsByCommand('redis-server');
    const self = process.cpuUsage();
    snap.bench = (self.user + self.system) / 1000;
    snap['smtp-sink'] = cpuMs(sink.pid);
    return snap;
  };
  const pgSampler = setInterval(() => pgCpu.sample(), 1_000);
  closers.push(async () => clearInterval(pgSampler));
  const lastEventId = async () => BigInt((await sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from outbox_events`)[0]!.id);

  const settleMs = Number(values.settle) * 1000;
  const results: Record<string, unknown>[] = [];
  const printer = new RowPrinter(
    [
      { key: 'phase', title: 'phase', width: 12 },
      { key: 'target', title: 'target/s', width: 8 },
      { key: 'achieved', title: 'commit/s', width: 8 },
      { key: 'delivered', title: 'sock/s', width: 7 },
      { key: 'skipped', title: 'skip', width: 5 },
      { key: 'errors', title: 'err', width: 4 },
      { key: 'p50', title: 'sock p50', width: 8 },
      { key: 'p90', title: 'p90', width: 6 },
      { key: 'p99', title: 'p99', width: 6 },
      { key: 'max', title: 'max', width: 6 },
      { key: 'mailP50', title: 'mail p50', width: 8 },
      { key: 'mailP99', title: 'p99', width: 6 },
      { key: 'cpuStack', title: 'cpu/rep', width: 7 },
      ...STACK.map((k) => ({ key: `cpu ${k}`, title: k.replace('redis-server', 'redis').replace('postgres-shared', 'pg-sh').replace('postgres', 'pg').replace('worker-', 'wk'), width: 6 })),
      { key: 'cpu bench', title: 'bench', width: 6 },
      { key: 'cpu smtp-sink', title: 'smtp', width: 6 },
      { key: 'pgStatements', title: 'pg st/r', width: 7 },
      { key: 'pgXacts', title: 'xact/r', width: 6 },
      { key: 'pgRows', title: 'rows/r', width: 6 },
      { key: 'pgSeqRows', title: 'seqrd/r', width: 7 },
      { key: 'redisCalls', title: 'redis/r', width: 7 },
    ],
    log,
  );
  log(
    `bench-live: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; api, ${wsCount} ws, poller, ${workerCount} workers (${mailRole.WORKER_QUEUES === 'mail' ? `the last on the mail at nice ${mailRole.WORKER_NICE}, the others on the outbox` : 'each on the queues of WORKER_QUEUES, or both'}), ` +
      `${tradersN} trader sockets${idleSocketCount ? ` + ${idleSocketCount} idle sockets` : ''}; Redis ${redisPid ? 'private' : redisUrl}; PostgreSQL database ${db.name} (${withStatements ? 'pg_stat_statements' : 'no pg_stat_statements: transactions from pg_stat_database'}; autovacuum ${av!.v}${analyze ? ', ANALYZE after each phase' : ''})\n` +
      `latencies in ms (commit = the report's transactTime); cpu/rep = CPU ms per committed report of the stack (api, ws, poller, workers, pg, redis), then per process; per report: pg statements, pg transactions, rows written, Redis commands\n\n`,
  );

  let pgBefore: PgCounters = await pgCounters(sql, withStatements);
  /** Runs one phase: `drive` sends the orders and resolves what it measured; then waits for the pipeline to drain. */
  async function phase(name: string, target: number | null, drive: () => Promise<{ driveMs: number; skipped: number; errors: number; orders: number }>): Promise<void> {
    checkInterrupted();
    const fromId = await lastEventId();
    phaseFrom = fromId;
    arrived.sockets = 0;
    arrived.mails = 0;
    const cpuBefore = snapshotCpu();
    const redisBefore = await redisCommandCalls(redis);
    const startAt = Date.now();
    const d = await drive();
    checkInterrupted();
    const toId = await lastEventId();
    const n = Number(toId - fromId);
    const inPhase = (id: string) => {
      const b = BigInt(id);
      return b > fromId && b <= toId;
    };
    // Drain: every report of the phase on a socket, mailed and processed, or give up after a bounded wait.
    const drainLimit = Math.max(30_000, 4 * (Date.now() - startAt));
    let drained = true;
    try {
      await waitUntil(`${name}: reports on sockets and mailed`, drainLimit, () => {
        checkInterrupted();
        return arrived.sockets >= n && arrived.mails >= n;
      });
      await waitUntil(`${name}: reports processed`, 30_000, async () => {
        const [r] = await sql<{ n: string }[]>`select count(*)::text as n from outbox_events where id > ${String(fromId)} and id <= ${String(toId)} and status <> 'processed'`;
        return r!.n === '0';
      });
    } catch (err) {
      checkInterrupted();
      drained = false;
      log(`  ${name}: ${(err as Error).message}; figures below count what arrived\n`);
    }
    const cpuAfter = snapshotCpu();
    const windowMs = Date.now() - startAt;
    const redisAfter = await redisCommandCalls(redis);
    if (analyze) await sql`analyze`;
    await sleep(settleMs); // PostgreSQL publishes counters lazily (see pgCounters)
    const pgAfter = await pgCounters(sql, withStatements);
    // The settle is idle time: what each process burns with nothing to do, which low rates pay per report.
    const cpuSettled = snapshotCpu();
    const idle: Record<string, number> = {};
    for (const k of Object.keys(cpuSettled)) idle[k] = Number(((cpuSettled[k]! - cpuAfter[k]!) / (settleMs / 1000)).toFixed(1));

    const txRows = await sql<{ id: string; t: number }[]>`
      select id::text as id, extract(epoch from coalesce((payload->>'transactTime')::timestamptz, created_at)) * 1000 as t
      from outbox_events where id > ${String(fromId)} and id <= ${String(toId)}`;
    const transactAt = new Map(txRows.map((r) => [r.id, Number(r.t)]));
    const sockLat: number[] = [];
    let lastSocket = startAt;
    for (const [id, r] of receipts) {
      if (!inPhase(id)) continue;
      sockLat.push(r.at - r.transactTime);
      lastSocket = Math.max(lastSocket, r.at);
    }
    const mailLat: number[] = [];
    for (const [id, at] of mailAt) {
      const t = transactAt.get(id);
      if (t !== undefined) mailLat.push(at - t);
    }
    const cpu: Record<string, number> = {};
    for (const k of Object.keys(cpuAfter)) cpu[k] = (cpuAfter[k]! - cpuBefore[k]!) / Math.max(1, n);
    const cpuStack = STACK.reduce((t, k) => t + (cpu[k] ?? 0), 0);
    const redisDelta = deltas(redisBefore, redisAfter);
    const redisCalls = Object.values(redisDelta).reduce((a, b) => a + b, 0);
    const perReport = (x: number) => Number((x / Math.max(1, n)).toFixed(2));
    const rows = pgAfter.inserted + pgAfter.updated + pgAfter.deleted - (pgBefore.inserted + pgBefore.updated + pgBefore.deleted);
    const round = (x: number) => (Number.isNaN(x) ? null : Math.round(x));
    const r = {
      phase: name,
      'target reports/s': target,
      orders: d.orders,
      reports: n,
      'achieved reports/s (committed)': Math.round(n / (d.driveMs / 1000)),
      'delivered reports/s (sockets)': sockLat.length ? Math.round(sockLat.length / ((lastSocket - startAt) / 1000)) : 0,
      'on sockets': sockLat.length,
      mailed: mailLat.length,
      drained,
      'skipped orders (in-flight limit)': d.skipped,
      'http errors': d.errors,
      'socket duplicates (run so far)': duplicates,
      'commit→socket ms': { p50: round(quantile(sockLat, 0.5)), p90: round(quantile(sockLat, 0.9)), p99: round(quantile(sockLat, 0.99)), max: sockLat.length ? Math.max(...sockLat) : null },
      'commit→mail accepted ms': { p50: round(quantile(mailLat, 0.5)), p99: round(quantile(mailLat, 0.99)) },
      'cpu ms per report': Object.fromEntries([['stack (excl. bench, smtp-sink)', Number(cpuStack.toFixed(3))], ...Object.entries(cpu).map(([k, v]) => [k, Number(v.toFixed(3))])]),
      'cpu window s': Number((windowMs / 1000).toFixed(1)),
      'idle cpu ms per s, in the settle after the phase': idle,
      'postgres per report': {
        statements: pgAfter.statements === null ? null : perReport(pgAfter.statements - pgBefore.statements!),
        transactions: perReport(pgAfter.xacts - pgBefore.xacts),
        'rows written': perReport(rows),
        inserted: perReport(pgAfter.inserted - pgBefore.inserted),
        updated: perReport(pgAfter.updated - pgBefore.updated),
        'hot updated': perReport(pgAfter.hotUpdated - pgBefore.hotUpdated),
        'rows read by sequential scans': perReport(pgAfter.seqRowsRead - pgBefore.seqRowsRead),
        'index scans': perReport(pgAfter.indexScans - pgBefore.indexScans),
        'rows read by sequential scans, by table': Object.fromEntries(
          Object.entries(deltas(pgBefore.seqRowsByTable, pgAfter.seqRowsByTable)).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, perReport(v)]),
        ),
        deleted: perReport(pgAfter.deleted - pgBefore.deleted),
        'WAL bytes (whole server)': Math.round((pgAfter.walBytes - pgBefore.walBytes) / Math.max(1, n)),
      },
      'redis used_memory MB after the phase': Math.round((await redisUsedMemory(redis)) / 1e5) / 10,
      'rss MB after the phase': Object.fromEntries(apps.map((c) => [c.name, rssMb(c.pid)])),
      'redis commands per report': {
        total: perReport(redisCalls),
        top5: Object.fromEntries(Object.entries(redisDelta).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, v]) => [k, perReport(v)])),
      },
    };
    results.push(r);
    printer.row({
      phase: name,
      target,
      achieved: r['achieved reports/s (committed)'],
      delivered: r['delivered reports/s (sockets)'],
      skipped: d.skipped,
      errors: d.errors,
      ...r['commit→socket ms'],
      mailP50: r['commit→mail accepted ms'].p50,
      mailP99: r['commit→mail accepted ms'].p99,
      cpuStack,
      ...Object.fromEntries(Object.entries(cpu).map(([k, v]) => [`cpu ${k}`, v])),
      pgStatements: r['postgres per report'].statements,
      pgXacts: r['postgres per report'].transactions,
      pgRows: r['postgres per report']['rows written'],
      pgSeqRows: r['postgres per report']['rows read by sequential scans'],
      redisCalls: r['redis commands per report'].total,
    });
    pgBefore = await pgCounters(sql, withStatements);
    writeOut();
  }

  const outFile = path.resolve(values.out!);
  let storageBytesPerReport: number | null = null;
  const writeOut = () =>
    writeFileSync(
      outFile,
      `${JSON.stringify({ date: new Date().toISOString(), cores: os.cpus().length, cpu: os.cpus()[0]?.model, args: values,
        storageBytesPerReport,
        topology: { api: 1, ws: wsCount, poller: 1, workers: workerCount, workerRoles: values['worker-roles'], traderSockets: tradersN, idleSockets: idleSocketCount }, wsRssMb, autovacuum: av!.v, analyzeAfterEachPhase: analyze, redis: redisPid ? 'private' : redisUrl, pgStatStatements: withStatements, phases: results }, null, 2)}\n`,
    );

  /** Open loop: order i leaves at start + i / rate whatever came back; a pair is skipped whole when MAX_IN_FLIGHT requests are out. */
  async function openLoop(ordersPerSecond: number, total: number, agent: http.Agent) {
    let inFlight = 0;
    let skipped = 0;
    let errors = 0;
    let skipPair = false;
    const pending = new Set<Promise<void>>();
    const startAt = Date.now();
    for (let i = 0; i < total; i++) {
      checkInterrupted();
      const wait = startAt + (i * 1000) / ordersPerSecond - Date.now();
      if (wait > 0) await sleep(wait);
      if (i % 2 === 0) skipPair = inFlight >= MAX_IN_FLIGHT;
      if (skipPair) {
        skipped++;
        continue;
      }
      const { token, body } = order(i);
      inFlight++;
      const p: Promise<void> = postOrder(agent, apiPort, token, body).then((status) => {
        inFlight--;
        if (status !== 201) errors++;
        pending.delete(p);
      });
      pending.add(p);
    }
    await Promise.all(pending); // each request times out after 30 s
    return { driveMs: Date.now() - startAt, skipped, errors, orders: total - skipped };
  }

  // A warm-up at 100 reports/s, then ANALYZE (as after every phase): the first level then runs on tables with
  // statistics, as a database in service does (autovacuum analyzes them), not on the plans PostgreSQL makes for
  // empty tables, which the prepared statements keep as the tables grow.
  const warmupSeconds = Number(values['warmup-seconds']);
  if (warmupSeconds > 0) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    await phase('warm-up', 100, () => openLoop(50, Math.round((50 * warmupSeconds) / 2) * 2, agent)).finally(() => agent.destroy());
  }

  for (const level of levels) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const ordersPerSecond = level / 2; // a crossing pair: 2 orders, 4 reports
    const total = Math.round((ordersPerSecond * seconds) / 2) * 2;
    await phase(`${level}/s`, level, () => openLoop(ordersPerSecond, total, agent)).finally(() => agent.destroy());
  }

  const idleSeconds = Number(values['idle-seconds']);
  if (idleSeconds > 0) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    await phase('idle 100ms', 20, () => openLoop(10, Math.round(idleSeconds * 10 / 2) * 2, agent)).finally(() => agent.destroy());
  }

  const burstOrders = Math.round(Number(values['burst-orders']) / 2) * 2;
  if (burstOrders > 0) {
    await phase(`burst ${burstOrders}`, null, async () => {
      const r = await runLoad(apiPort, 16, burstOrders, order);
      return { driveMs: r.elapsedMs, skipped: 0, errors: r.errors, orders: r.orders };
    });
  }
  const backlogReports = Math.round(Number(values.backlog) / 4) * 4;
  if (backlogReports > 0) {
    // The pipeline stopped at the workers: the api commits, the poller enqueues, Redis holds the jobs. Then the
    // workers go on and the backlog drains. The CPU window covers both; the drain rates count from the resume.
    let resumedAt = 0;
    let fromId = 0n;
    let queuedBytes = 0;
    const name = `drain ${backlogReports}`;
    await phase(name, null, async () => {
      fromId = await lastEventId();
      const memBefore = await redisUsedMemory(redis);
      for (const w of workers) w.child.kill('SIGSTOP');
      try {
        const r = await runLoad(apiPort, 16, backlogReports / 2, order);
        const toId = fromId + BigInt(backlogReports);
        await waitUntil(`${name}: backlog enqueued`, 60_000, async () => {
          const [row] = await sql<{ n: string }[]>`select count(*)::text as n from outbox_events where id > ${String(fromId)} and id <= ${String(toId)} and status = 'pending'`;
          return row!.n === '0';
        });
        queuedBytes = (await redisUsedMemory(redis)) - memBefore;
        return { driveMs: r.elapsedMs, skipped: 0, errors: r.errors, orders: r.orders };
      } finally {
        resumedAt = Date.now();
        for (const w of workers) w.child.kill('SIGCONT');
      }
    });
    const lastOf = (ats: number[]) => (ats.length ? Math.max(...ats) : resumedAt);
    const sockAts = [...receipts].filter(([id]) => BigInt(id) > fromId).map(([, r]) => r.at);
    const mailAts = [...mailAt].filter(([id]) => BigInt(id) > fromId).map(([, at]) => at);
    const rate = (n: number, last: number) => Math.round(n / Math.max(0.001, (last - resumedAt) / 1000));
    const drain = {
      'reports to sockets per s after the resume': rate(sockAts.length, lastOf(sockAts)),
      'mails accepted per s after the resume': rate(mailAts.length, lastOf(mailAts)),
      'redis bytes per queued report': Math.round(queuedBytes / backlogReports),
    };
    Object.assign(results[results.length - 1]!, { drain });
    writeOut();
    log(`  ${name}: after the resume ${drain['reports to sockets per s after the resume']} reports/s to sockets, ${drain['mails accepted per s after the resume']} mails/s; Redis ${drain['redis bytes per queued report']} bytes per queued report\n`);
  }

  // Storage per report kept (tables and their indexes over the rows they hold), for the capacity model.
  const [st] = await sql<{ bytes: string; reports: string }[]>`
    select (pg_total_relation_size('outbox_events') + pg_total_relation_size('notification_deliveries')
            + pg_total_relation_size('orders') + pg_total_relation_size('trades'))::text as bytes,
           (select count(*) from outbox_events)::text as reports`;
  storageBytesPerReport = Math.round(Number(st!.bytes) / Math.max(1, Number(st!.reports)));
  writeOut();
  log(`\nbench-live: socket duplicates ${duplicates}; storage ${storageBytesPerReport} bytes per report kept; JSON in ${outFile}\n`);
  const idleStack = results.map((r) => STACK.reduce((t, k) => t + ((r['idle cpu ms per s, in the settle after the phase'] as Record<string, number>)[k] ?? 0), 0));
  log(`  idle stack CPU between phases: ${idleStack.map((x) => `${Math.round(x)}`).join(', ')} ms per s (what low rates pay per report on top of the work)\n`);
  for (const r of results) {
    const top = (r['redis commands per report'] as { top5: Record<string, number> }).top5;
    log(`  ${String(r.phase).padEnd(12)} Redis top 5 per report: ${Object.entries(top).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  }
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench-live failed: ${String((err as Error)?.stack ?? err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (interrupted) return; // the signal handler stops everything and exits
    await cleanup();
    process.exit(process.exitCode ?? 0);
  });
