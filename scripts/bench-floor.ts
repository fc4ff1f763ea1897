/**
 * `npm run bench:floor`: what one hop of the live path costs on this machine with the stack's libraries and
 * none of this project's code, as CPU microseconds per operation by process. It answers "how low can the CPU
 * per report go with this stack?": the live path's goal is a budget per report, and each probe below is a
 * part every report pays for at least once.
 *
 * Probes (each against server sides in their own processes, `bench-floor-roles.ts`):
 * - `loopback`: one 200-byte message and its echo over loopback TCP (node:net, TCP_NODELAY): the price of a
 *   message between two processes, before any protocol.
 * - `http`: `POST /v1/orders` with an order's JSON through Express (`express.json()`, a 201 of an order and
 *   two reports), 16 keep-alive connections.
 * - `bullmq`: one job of ~1 KB added (`addBulk` of one, as the api's hand-off does) and run by a Worker whose
 *   processor does nothing (concurrency 20), completed and trimmed as ours are.
 * - `socketio`: one report (~600 bytes) published with `@socket.io/redis-emitter` to a room, through two
 *   Socket.IO nodes on the Redis adapter (both receive every publish), to one client socket.
 * - `smtp`: one report mail (rendered and sent by this project's `sendReportMail` over nodemailer's
 *   `SMTPConnection`, 20 at once) accepted by a local smtp-server sink.
 * - `pg`: one autocommit INSERT of a ~1 KB jsonb row and one UPDATE of it by primary key (postgres.js,
 *   8 connections): a durable write of a report-sized row.
 *
 * Output: a table (and JSON with --out) of ops, wall time and CPU µs per op for each process; the load side
 * (this process) is shown apart. Options: --ops N (per probe, default 5000), --only a,b, --database-url.
 */
import { parseArgs } from 'node:util';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Emitter } from '@socket.io/redis-emitter';
import { io as connectSocket, type Socket } from 'socket.io-client';
import postgres from 'postgres';
import { SmtpPool, sendReportMail } from '@execn/notifications';
import type { ExecutionReport } from '@execn/contracts';
import { cpuMs, quantile, sleep, waitUntil } from './bench-common';
import { PostgresCpu } from './bench-live-support';
import { createBenchDatabase, startChild, startProcess, type Child } from './bench-pipeline-support';
import { FLOOR_QUEUE, ORDER_ANSWER } from './bench-floor-roles';

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '5000' },
    only: { type: 'string' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    out: { type: 'string' },
  },
});
const OPS = Number(values.ops);
const ROLES = 'scripts/bench-floor-roles.ts';
const READY = /ready (\d+)/;

/** CPU µs per op of each named process over `work`, and this process's own (the load side). */
interface ProbeResult {
  probe: string;
  ops: number;
  wallMs: number;
  /** Per process: CPU µs per op. */
  cpuUsPerOp: Record<string, number>;
  /** This process (the load generator, clients, and in `smtp` the sender, shown as `sender` instead). */
  loadUsPerOp: number;
  note: string;
  /** One op at a time on an otherwise idle pipe (`IDLE_OPS` of them, 5 ms apart): ms from start to end. */
  idleMs?: { p50: number; p99: number; what: string };
}

const IDLE_OPS = 300;

/** Latency of `op` run one at a time, 5 ms apart, on an idle pipe. */
async function idleLatency(what: string, op: () => Promise<void>): Promise<NonNullable<ProbeResult['idleMs']>> {
  const samples: number[] = [];
  for (let i = 0; i < IDLE_OPS; i++) {
    const t0 = performance.now();
    await op();
    samples.push(performance.now() - t0);
    await sleep(5);
  }
  return { p50: round2(quantile(samples, 0.5)), p99: round2(quantile(samples, 0.99)), what };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

async function measure(
  probe: string,
  ops: number,
  procs: Record<string, () => number>,
  work: () => Promise<void>,
  note: string,
  selfAs?: string,
): Promise<ProbeResult> {
  const before = Object.fromEntries(Object.entries(procs).map(([k, f]) => [k, f()]));
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  const self = process.cpuUsage(self0);
  const selfMs = (self.user + self.system) / 1000;
  const cpuUsPerOp: Record<string, number> = {};
  for (const [k, f] of Object.entries(procs)) cpuUsPerOp[k] = round(((f() - before[k]!) * 1000) / ops);
  if (selfAs) cpuUsPerOp[selfAs] = round((selfMs * 1000) / ops);
  return { probe, ops, wallMs: Math.round(wallMs), cpuUsPerOp, loadUsPerOp: selfAs ? 0 : round((selfMs * 1000) / ops), note };
}

const round = (v: number) => Math.round(v * 10) / 10;
const pidCpu = (pid: number) => () => cpuMs(pid);

/** Runs `total` async operations with at most `concurrency` at once. */
async function pool(total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await op(next++);
  }));
}

async function loopbackProbe(): Promise<ProbeResult> {
  const echo = await startChild('echo', ROLES, { FLOOR_ROLE: 'echo' }, READY);
  try {
    const socket = await new Promise<net.Socket>((resolve) => {
      const s = net.connect({ port: Number(echo.ready), host: '127.0.0.1', noDelay: true }, () => resolve(s));
    });
    const msg = Buffer.alloc(200, 'x');
    const roundTrip = () => new Promise<void>((resolve) => {
      socket.once('data', () => resolve());
      socket.write(msg);
    });
    for (let i = 0; i < 1000; i++) await roundTrip();
    const n = OPS * 4;
    const r = await measure('loopback', n, { echo: pidCpu(echo.pid) }, async () => {
      for (let i = 0; i < n; i++) await roundTrip();
    }, 'one 200-byte message and its echo; each side does one write and one read per op');
    socket.destroy();
    return r;
  } finally {
    await echo.stop();
  }
}

async function httpProbe(): Promise<ProbeResult> {
  const server = await startChild('http', ROLES, { FLOOR_ROLE: 'http' }, READY);
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const body = JSON.stringify({ symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 10, price: '100.00', timeInForce: 'GTC', clientOrderId: 'c-1' });
    const post = () => new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: Number(server.ready), method: 'POST', path: '/v1/orders', agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${'x'.repeat(180)}` } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
    await pool(2000, 16, post);
    const r = await measure('http', OPS, { express: pidCpu(server.pid) }, () => pool(OPS, 16, post),
      `POST of an order (${body.length} B) answered 201 with ${JSON.stringify(ORDER_ANSWER).length} B of JSON; 16 keep-alive connections`);
    r.idleMs = await idleLatency('request sent → response read', post);
    agent.destroy();
    return r;
  } finally {
    await server.stop();
  }
}

async function bullmqProbe(redisUrl: string, redisPid: number): Promise<ProbeResult> {
  const worker = await startChild('bullmq-worker', ROLES, { FLOOR_ROLE: 'bullmq-worker', REDIS_URL: redisUrl }, READY);
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(FLOOR_QUEUE, { connection });
  try {
    const data = { events: ORDER_ANSWER.reports.map((payload, i) => ({ eventId: String(i), generation: 1, type: 'execution.report', payload })) };
    const opts = { removeOnComplete: { age: 3_600, count: 1_000 }, removeOnFail: { age: 7 * 24 * 3_600, count: 5_000 }, attempts: 5 };
    const add = () => queue.addBulk([{ name: 'execution.report', data, opts }]).then(() => undefined);
    const drained = () =>
      waitUntil('bullmq jobs completed', 120_000, async () => (await queue.getJobCountByTypes('wait', 'active', 'prioritized', 'delayed')) === 0);
    await pool(1000, 4, add);
    await drained();
    // Paced in small groups, as live hand-offs arrive: the worker fetches them one by one, not as a backlog.
    const r = await measure('bullmq', OPS, { worker: pidCpu(worker.pid), redis: pidCpu(redisPid) }, async () => {
      for (let i = 0; i < OPS; i += 4) {
        await Promise.all([add(), add(), add(), add()]);
        await sleep(1);
      }
      await drained();
    }, `one job (${JSON.stringify(data).length} B, addBulk of one) added, fetched, run by a processor doing nothing, completed; adds paced 4 per ms`);
    // Idle: add one job, wait for its processor's PUBLISH (one pub/sub hop more than the job itself).
    const sub = connection.duplicate();
    const waiting = new Map<string, () => void>();
    sub.on('message', (_channel: string, id: string) => waiting.get(id)?.());
    await sub.subscribe('floor-done');
    let idle = 0;
    r.idleMs = await idleLatency('addBulk of one → its processor runs (+ a PUBLISH back)', async () => {
      // Its id is known before the add, so the PUBLISH cannot arrive before anyone waits for it.
      const jobId = `idle-${idle++}`;
      const ran = new Promise<void>((resolve) => waiting.set(jobId, resolve));
      await queue.addBulk([{ name: 'execution.report', data: { ...data, echo: true }, opts: { ...opts, jobId } }]);
      await ran;
      waiting.delete(jobId);
    });
    sub.disconnect();
    return r;
  } finally {
    await queue.close();
    connection.disconnect();
    await worker.stop();
  }
}

async function socketioProbe(redisUrl: string, redisPid: number): Promise<ProbeResult> {
  const ws1 = await startChild('ws-1', ROLES, { FLOOR_ROLE: 'ws', REDIS_URL: redisUrl }, READY);
  const ws2 = await startChild('ws-2', ROLES, { FLOOR_ROLE: 'ws', REDIS_URL: redisUrl }, READY);
  const redis = new Redis(redisUrl);
  const emitter = new Emitter(redis, { key: 'floor' });
  const sockets: Socket[] = [];
  try {
    let received = 0;
    let onReceived: (() => void) | undefined;
    for (const [i, ws] of [ws1, ws2].entries()) {
      const s = connectSocket(`http://127.0.0.1:${ws.ready}`, { transports: ['websocket'], auth: { room: `acct-${i}` } });
      s.on('execution.report', () => {
        received++;
        onReceived?.();
      });
      sockets.push(s);
      await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    }
    await sleep(300);
    const report = ORDER_ANSWER.reports[1]!;
    const send = async (n: number) => {
      const target = received + n;
      for (let i = 0; i < n; i += 4) {
        for (let k = 0; k < 4; k++) emitter.to(`acct-${(i + k) % 2}`).emit('execution.report', report);
        await sleep(1);
      }
      await waitUntil('socket.io messages received', 60_000, () => received >= target);
    };
    await send(1000);
    const r = await measure('socketio', OPS, { 'ws-1': pidCpu(ws1.pid), 'ws-2': pidCpu(ws2.pid), redis: pidCpu(redisPid) }, () => send(OPS),
      `one report (${JSON.stringify(report).length} B) emitted to a room (alternating between the two nodes' clients), 4 per ms; both nodes receive every publish`);
    r.idleMs = await idleLatency('emit (PUBLISH) → the client socket has it', async () => {
      const arrived = new Promise<void>((resolve) => (onReceived = resolve));
      emitter.to('acct-0').emit('execution.report', report);
      await arrived;
      onReceived = undefined;
    });
    return r;
  } finally {
    for (const s of sockets) s.disconnect();
    redis.disconnect();
    await ws1.stop();
    await ws2.stop();
  }
}

async function smtpProbe(): Promise<ProbeResult> {
  const sink = await startChild('smtp-sink', 'scripts/bench-smtp-sink.ts', {}, READY);
  const smtp = new SmtpPool({ smtpUrl: `smtp://127.0.0.1:${sink.ready}`, socketTimeoutMs: 10_000 });
  try {
    const base = ORDER_ANSWER.reports[1]! as unknown as ExecutionReport;
    const send = (i: number) =>
      sendReportMail(smtp, { report: { ...base, eventId: String(i) }, generation: 1, to: 'alice@example.com', from: 'Exec <noreply@example.com>', timeoutMs: 10_000 }).then(() => undefined);
    await pool(2000, 20, send);
    return await measure('smtp', OPS, { sink: pidCpu(sink.pid) }, () => pool(OPS, 20, (i) => send(10_000 + i)),
      'one report mail rendered and sent (sendReportMail over nodemailer SMTPConnection, 20 at once) to an smtp-server sink', 'sender');
  } finally {
    smtp.close();
    await sink.stop();
  }
}

async function pgProbe(): Promise<ProbeResult> {
  const db = await createBenchDatabase(values['database-url']!, 'bench_floor');
  const sql = postgres(db.url, { max: 8, onnotice: () => undefined });
  try {
    await sql`create table floor_rows (id bigserial primary key, status text not null, payload jsonb not null, updated_at timestamptz not null default now())`;
    const payload = ORDER_ANSWER.reports;
    const write = async () => {
      const [row] = await sql<{ id: string }[]>`insert into floor_rows (status, payload) values ('enqueued', ${sql.json(payload)}) returning id`;
      await sql`update floor_rows set status = 'processed', updated_at = now() where id = ${row!.id}`;
    };
    await pool(1000, 8, write);
    await sql`analyze floor_rows`;
    const pg = new PostgresCpu(db.name, new Set());
    pg.sample();
    const pgCpu = () => {
      const t = pg.totals();
      return t.backends + t.shared;
    };
    const r = await measure('pg', OPS, { postgres: pgCpu }, () => pool(OPS, 8, write),
      `one INSERT of a ${JSON.stringify(payload).length} B jsonb row and one UPDATE of it by primary key, autocommit (fsync as the server has it), 8 connections`);
    r.idleMs = await idleLatency('BEGIN, INSERT of the row, COMMIT (one round trip for the statements, one for COMMIT)', async () => {
      await sql.begin(async (tx) => {
        await tx`insert into floor_rows (status, payload) values ('enqueued', ${tx.json(payload)})`;
      });
    });
    return r;
  } finally {
    await sql.end();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const only = values.only?.split(',');
  const wanted = (p: string) => !only || only.includes(p);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-floor-'));
  const started: Child[] = [];
  const results: ProbeResult[] = [];
  try {
    let redisUrl = '';
    let redisPid = 0;
    if (wanted('bullmq') || wanted('socketio')) {
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });
      const redis = await startProcess('redis-server', 'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp], process.env, /Ready to accept connections()/, 15_000);
      started.push(redis);
      redisUrl = `redis://127.0.0.1:${port}`;
      redisPid = redis.pid;
    }
    if (wanted('loopback')) results.push(await loopbackProbe());
    if (wanted('http')) results.push(await httpProbe());
    if (wanted('bullmq')) results.push(await bullmqProbe(redisUrl, redisPid));
    if (wanted('socketio')) results.push(await socketioProbe(redisUrl, redisPid));
    if (wanted('smtp')) results.push(await smtpProbe());
    if (wanted('pg')) results.push(await pgProbe());
  } finally {
    for (const c of started) await c.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`bench-floor: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; CPU µs per op by process (load side apart)\n\n`);
  process.stdout.write(`${'probe'.padEnd(10)} ${'ops'.padStart(6)} ${'wall ms'.padStart(8)}  cpu µs/op by process${' '.repeat(22)} load µs/op\n`);
  for (const r of results) {
    const procs = Object.entries(r.cpuUsPerOp).map(([k, v]) => `${k} ${v}`).join(', ');
    process.stdout.write(`${r.probe.padEnd(10)} ${String(r.ops).padStart(6)} ${String(r.wallMs).padStart(8)}  ${procs.padEnd(42)} ${r.loadUsPerOp || '-'}\n`);
  }
  for (const r of results) process.stdout.write(`  ${r.probe}: ${r.note}\n`);
  process.stdout.write(`\nidle latency, one op at a time (${IDLE_OPS}, 5 ms apart), ms p50 / p99:\n`);
  for (const r of results) if (r.idleMs) process.stdout.write(`  ${r.probe.padEnd(9)} ${String(r.idleMs.p50).padStart(6)} / ${String(r.idleMs.p99).padEnd(7)} ${r.idleMs.what}\n`);
  if (values.out) {
    writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), cores: os.cpus().length, cpu: os.cpus()[0]?.model, ops: OPS, results }, null, 2));
    process.stdout.write(`bench-floor: JSON in ${values.out}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench-floor failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
