/**
 * `npm run bench:ws` (not a test): one ws node (child process) with 1,000 and
 * 5,000 connected clients (this process), reports to distinct account rooms
 * emitted from another process through Redis (scripts/bench-ws-emitter.ts).
 * Prints delivered messages/s, latency p50/p99, the node's RSS per
 * connection, and a 10,000-report resume timed while another socket pings the
 * node. Loopback only; uses a scratch database it drops at the end.
 *   npm run build && npm run bench:ws [-- 1000,5000]
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { signToken } from '@execn/auth';
import type { ClientToServerEvents, ExecutionReport, ServerToClientEvents } from '@execn/contracts';
import { migrateDatabase, splitDatabaseUrl } from '@execn/db';
import { cpuMs, quantile } from './bench-common';
import { mib, openFileLimit, rssBytes, runEmitter, startWsNode, type BenchNode } from './bench-ws-support';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const SECRET = 'bench-ws-secret-0123456789abcdef0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = (process.argv[2] ?? '1000,5000').split(',').map(Number);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const out = (line: string) => process.stdout.write(`${line}\n`);

/** Latencies and arrival times of the reports the clients received. */
const received = { latencies: [] as number[], first: 0, last: 0 };
const onReport = (r: ExecutionReport) => {
  const t = now();
  if (!r.execId.startsWith('bench:')) return;
  received.latencies.push(t - Number(r.execId.slice(6)));
  if (!received.first) received.first = t;
  received.last = t;
};

async function connectClients(url: string, accountPrefix: string, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let start = 0; start < count; start += 250) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(250, count - start) }, async (_, k) => {
        const token = await signToken(SECRET, { accountId: `${accountPrefix}${start + k}` });
        const socket: Client = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
        socket.on('execution.report', onReport);
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        return socket;
      }),
    );
    clients.push(...batch);
  }
  return clients;
}

async function emitRun(node: BenchNode, prefix: string, accountPrefix: string, accounts: number, rate: number, count: number) {
  received.latencies = [];
  received.first = 0;
  const nodeCpu0 = cpuMs(node.child.pid!);
  const selfCpu0 = process.cpuUsage();
  const wall0 = now();
  const { sent, elapsedMs } = await runEmitter({ redisUrl: REDIS_URL, prefix, accountPrefix, accounts, rate, durationMs: 5_000, count });
  const deadline = Date.now() + 10_000;
  while (received.latencies.length < sent && Date.now() < deadline) await sleep(20);
  const wallMs = now() - wall0;
  const nodeCpu = (cpuMs(node.child.pid!) - nodeCpu0) / wallMs;
  const selfUsage = process.cpuUsage(selfCpu0);
  const clientCpu = (selfUsage.user + selfUsage.system) / 1000 / wallMs;
  const lat = [...received.latencies].sort((a, b) => a - b);
  const spanS = (received.last - received.first) / 1000 || 1;
  return {
    mode: rate > 0 ? `${rate}/s paced` : 'as fast as possible',
    sent,
    delivered: lat.length,
    emitPerSec: Math.round(sent / (elapsedMs / 1000)),
    deliveredPerSec: Math.round(lat.length / spanS),
    p50: quantile(lat, 0.5),
    p99: quantile(lat, 0.99),
    max: lat[lat.length - 1] ?? Number.NaN,
    nodeRss: rssBytes(node.child.pid!),
    cpu: `node ${(nodeCpu * 100).toFixed(0)}% / clients ${(clientCpu * 100).toFixed(0)}% of a core`,
  };
}

async function resumeRun(url: string, accountId: string, expected: number) {
  const token = await signToken(SECRET, { accountId });
  const socket: Client = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  const connected = new Promise<void>((r) => socket.once('connect', () => r()));
  const pinger = (await connectClients(url, 'bench-pinger-', 1))[0]!;
  await connected;
  let got = 0;
  let lastAt = 0;
  socket.on('execution.report', () => {
    got += 1;
    lastAt = now();
  });
  const pings: number[] = [];
  let resuming = true;
  const pingLoop = (async () => {
    while (resuming) {
      const t = now();
      await pinger.emitWithAck('unsubscribe', { orderId: '00000000-0000-4000-8000-000000000000' });
      pings.push(now() - t);
      await sleep(5);
    }
  })();
  const t0 = now();
  const ack = await socket.timeout(30_000).emitWithAck('resume', { sinceSeq: 0 });
  const ackMs = now() - t0;
  while (got < expected && now() - t0 < 30_000) await sleep(5);
  resuming = false;
  await pingLoop;
  socket.close();
  pinger.close();
  const sorted = [...pings].sort((a, b) => a - b);
  return { ack, got, ackMs, allMs: lastAt - t0, pings: pings.length, pingP99: quantile(sorted, 0.99), pingMax: sorted[sorted.length - 1] ?? 0 };
}

async function main(): Promise<void> {
  const limit = openFileLimit();
  const largest = Math.max(...sizes);
  if (limit < largest + 1_000) {
    out(`open file limit is ${limit}: raise it for ${largest} sockets, e.g. \`ulimit -n 65536 && npm run bench:ws\``);
    process.exit(1);
  }
  const dbName = `execn_bench_${randomBytes(4).toString('hex')}`;
  const dbUrl = new URL(SERVER_URL);
  dbUrl.pathname = `/${dbName}`;
  await migrateDatabase(dbUrl.toString());
  const sql = postgres(dbUrl.toString(), { max: 2, onnotice: () => undefined });
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const node = await startWsNode({
    DATABASE_URL: dbUrl.toString(), REDIS_URL, QUEUE_PREFIX: prefix, JWT_SECRET: SECRET, WS_PORT: '0',
    WS_RATE_LIMIT_PER_SECOND: '100000', LOG_LEVEL: 'info', NODE_ENV: 'production',
  });
  const url = `http://127.0.0.1:${node.port}`;
  try {
    out(`ws node pid ${node.child.pid} on ${url}; Redis ${REDIS_URL}; cores ${cpus().length}`);
    let clients: Client[] = [];
    for (const n of sizes) {
      await sleep(1_000);
      const idle = rssBytes(node.child.pid!);
      const t = now();
      const accountPrefix = `bench-${n}-`;
      clients = await connectClients(url, accountPrefix, n);
      const connectMs = now() - t;
      await sleep(2_000);
      const loaded = rssBytes(node.child.pid!);
      out(`\n== ${n} clients: connected in ${(connectMs / 1000).toFixed(1)} s; node RSS ${mib(idle)} idle -> ${mib(loaded)} ` +
        `(${((loaded - idle) / n / 1024).toFixed(1)} KiB per connection)`);
      for (const [rate, count] of [[5_000, 0], [0, 20_000]] as const) {
        const r = await emitRun(node, prefix, accountPrefix, n, rate, count);
        out(`   ${r.mode.padEnd(20)} sent ${r.sent} (${r.emitPerSec}/s), delivered ${r.delivered} at ${r.deliveredPerSec} msgs/s, ` +
          `latency p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms max ${r.max.toFixed(1)} ms; node RSS ${mib(r.nodeRss)}; CPU ${r.cpu}`);
      }
      if (n !== largest) for (const c of clients.splice(0)) c.close();
    }
    // Resume of 10,000 missed reports, with the largest client set still connected.
    const resumeAccount = 'bench-resume';
    await sql`insert into accounts (id, email, report_seq) values (${resumeAccount}, 'bench@example.test', 10000)`;
    await sql`
      insert into outbox_events (type, order_id, account_id, seq, status, payload)
      select 'execution.report', '00000000-0000-4000-8000-000000000000', ${resumeAccount}, g, 'processed',
        jsonb_build_object('seq', g, 'execId', 'r' || g, 'execType', 'trade', 'status', 'partially_filled',
          'orderId', '00000000-0000-4000-8000-000000000000', 'clientOrderId', null, 'accountId', ${resumeAccount}::text,
          'symbol', 'AAPL', 'side', 'buy', 'type', 'limit', 'timeInForce', 'GTC', 'price', '101.25', 'quantity', 100000,
          'lastQty', 1, 'lastPx', '101.25', 'tradeId', 't' || g, 'cumQty', g, 'leavesQty', 100000 - g, 'avgPx', '101.25',
          'reason', null, 'transactTime', now())
      from generate_series(1, 10000) g`;
    const r = await resumeRun(url, resumeAccount, 10_000);
    out(`\n== resume of 10,000 missed reports (${clients.length} other clients connected): ` +
      `${r.got} received, all in ${r.allMs.toFixed(0)} ms, ack ${JSON.stringify(r.ack)} after ${r.ackMs.toFixed(0)} ms; ` +
      `meanwhile ${r.pings} pings from another socket: p99 ${r.pingP99.toFixed(1)} ms, max ${r.pingMax.toFixed(1)} ms`);
    out(`   node RSS at the end ${mib(rssBytes(node.child.pid!))}`);
    for (const c of clients) c.close();
  } finally {
    await node.stop();
    await sql.end({ timeout: 5 });
    const admin = postgres(splitDatabaseUrl(dbUrl.toString()).adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
