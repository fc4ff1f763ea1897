/**
 * `npm run bench:pipeline [-- --mode drain,live --events 20000 --clients 50 --workers 2 --concurrency 100 --pool 10 --rate 500 --seconds 10]`
 *
 * The outbox pipeline end to end on this machine, every process real and
 * separate: PostgreSQL, Redis, one poller, `--workers` workers, one ws node
 * (Socket.IO on the Redis adapter) with `--clients` trader sockets connected,
 * and an SMTP sink. Bundles the apps like `npm run build`, on a fresh database.
 *
 * - drain: a backlog of `--events` committed reports, timed from the first
 *   claim until every event is processed, on its trader's socket and mailed;
 *   then, in the same run, a raw BullMQ yardstick: the same number of no-op
 *   jobs through the same Redis by the same number of worker processes.
 * - live: the api drives crossing orders at `--rate` reports/s for
 *   `--seconds`; commit → socket latency (transactTime to receipt) p50/p95/p99,
 *   commit → processed, mails/s.
 *
 * Prints the CPU each process used (from /proc), which shows the bottleneck.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { io as connect, type Socket } from 'socket.io-client';
import { signToken } from '@execn/auth';
import { insertOrder, insertReportBacklog } from '@execn/testing';
import { postOrder, quantile, sleep, waitUntil } from './bench-common';
import { API_READY, CountingSmtpSink, POLLER_READY, ROOT, WORKER_READY, WS_READY, bundleApps, cpuSnapshot, createBenchDatabase, cpuSplit, startChild, type Child } from './bench-pipeline-support';

const SECRET = 'bench-pipeline-secret-0123456789-0123456789';

interface Receipt {
  at: number;
  transactTime: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string', default: 'drain,live' },
      events: { type: 'string', default: '20000' },
      clients: { type: 'string', default: '50' },
      workers: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '100' },
      batch: { type: 'string', default: '500' },
      pool: { type: 'string', default: '10' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '10' },
      keep: { type: 'boolean', default: false },
    },
  });
  const modes = values.mode!.split(',');
  const clientsN = Number(values.clients);
  const workersN = Number(values.workers);
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/exec_notify';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const db = await createBenchDatabase(base, 'bench_pipe');
  const url = db.url;
  const prefix = `benchpipe-${Date.now().toString(36)}`;
  const sql = postgres(url, { max: 4, onnotice: () => undefined });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
  const sink = new CountingSmtpSink();
  const started: Child[] = [];
  const sockets: Socket[] = [];
  const results: Record<string, unknown> = {};
  try {
    await sink.start();
    const bundles = await bundleApps(['poller', 'worker', 'ws', ...(modes.includes('live') ? ['api'] : [])], tmp);
    const env = {
      DATABASE_URL: url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      SMTP_URL: sink.url,
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY: values.concurrency!,
      OUTBOX_BATCH_SIZE: values.batch!,
      DATABASE_POOL_SIZE: values.pool!,
    };
    const accounts = Array.from({ length: clientsN }, (_, i) => `trader-${i + 1}`);
    for (const id of accounts) await sql`insert into accounts (id, email) values (${id}, ${`${id}@bench.test`})`;
    await sql`insert into instruments (symbol, tick_size) values ('LIVE', '0.01')`;

    const ws = await startChild('ws', bundles.ws!, { ...env, WS_PORT: '0' }, WS_READY);
    started.push(ws);
    const receipts = new Map<string, Receipt>();
    let duplicates = 0;
    for (const id of accounts) {
      const token = await signToken(SECRET, { accountId: id, role: 'trader' }, 3600);
      const s = connect(`http://127.0.0.1:${ws.ready}`, { transports: ['websocket'], auth: { token } });
      s.on('execution.report', (r: { eventId: string; transactTime: string }) => {
        if (receipts.has(r.eventId)) duplicates++;
        else receipts.set(r.eventId, { at: Date.now(), transactTime: r.transactTime });
      });
      sockets.push(s);
    }
    await waitUntil('sockets connected', 20_000, () => sockets.every((s) => s.connected));
    process.stdout.write(
      `bench-pipeline: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ` +
        `${workersN} workers x concurrency ${values.concurrency}, batch ${values.batch}, pool ${values.pool}, ${clientsN} sockets on 1 ws node\n`,
    );

    if (modes.includes('drain')) {
      const perAccount = Math.ceil(Number(values.events) / clientsN);
      const targets = await Promise.all(accounts.map(async (accountId) => ({ accountId, orderId: await insertOrder(sql, { accountId }) })));
      const n = (await insertReportBacklog(sql, targets, perAccount)).length;
      const workers = await Promise.all(
        Array.from({ length: workersN }, (_, i) => startChild(`worker`, bundles.worker!, { ...env, METRICS_PORT: '0' }, WORKER_READY).then((c) => ((c.name = `worker ${i + 1}`), c))),
      );
      started.push(...workers);
      const cpuBefore = cpuSnapshot([...workers, ws]);
      const wallStart = Date.now();
      const poller = await startChild('poller', bundles.poller!, env, POLLER_READY);
      started.push(poller);
      const mailsBefore = sink.firstArrival.size;
      await waitUntil('every event processed, on its socket and mailed', 600_000, async () => {
        if (receipts.size < n || sink.firstArrival.size - mailsBefore < n) return false;
        const [r] = await sql<{ n: string }[]>`select count(*)::text as n from outbox_events where status = 'processed'`;
        return Number(r!.n) >= n;
      });
      const wallMs = Date.now() - wallStart;
      const cpuAfter = cpuSnapshot([...workers, ws, poller]);
      const [t] = await sql<{ t0: number; processed: number }[]>`
        select extract(epoch from min(enqueued_at)) * 1000 as t0, extract(epoch from max(processed_at)) * 1000 as processed from outbox_events`;
      const t0 = Number(t!.t0);
      const lastSocket = Math.max(...[...receipts.values()].map((r) => r.at));
      const lastMail = Math.max(...sink.firstArrival.values());
      const seconds = (ms: number) => (ms - t0) / 1000;
      results.drain = {
        events: n,
        'processed reports/s': Math.round(n / seconds(Number(t!.processed))),
        'on sockets reports/s': Math.round(n / seconds(lastSocket)),
        'mailed /s': Math.round(n / seconds(lastMail)),
        'all done in s': Number(seconds(Math.max(lastSocket, lastMail, Number(t!.processed))).toFixed(2)),
        'socket duplicates': duplicates,
        'mails received (incl. duplicates)': sink.received,
      };
      results['drain CPU'] = cpuSplit(cpuBefore, cpuAfter, wallMs);
      process.stdout.write(`drain: ${JSON.stringify(results.drain)}\n`);
      for (const c of [poller, ...workers]) await c.stop();

      // Yardstick: the same number of no-op jobs through the same Redis, by the same number of worker processes.
      const yq = new Queue('yardstick', { connection: redis, prefix });
      for (let i = 0; i < n; i += 1000) {
        await yq.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j } })));
      }
      const noops = await Promise.all(
        Array.from({ length: workersN }, () =>
          startChild('noop worker', path.join(ROOT, 'scripts/bench-pipeline-noop-worker.ts'), { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, QUEUE_NAME: 'yardstick', WORKER_CONCURRENCY: values.concurrency! }, /noop worker ready()/),
        ),
      );
      started.push(...noops);
      await waitUntil('yardstick drained', 300_000, async () => (await yq.getCompletedCount()) >= n);
      const done = Date.now();
      const firsts = noops.map((c) => Number(/"firstJobAt":(\d+)/.exec(c.output())?.[1] ?? done));
      const yardstick = Math.round(n / ((done - Math.min(...firsts)) / 1000));
      results.yardstick = { 'no-op jobs/s': yardstick, 'pipeline ÷ yardstick': Number(((results.drain as Record<string, number>)['processed reports/s']! / yardstick).toFixed(2)) };
      process.stdout.write(`yardstick: ${JSON.stringify(results.yardstick)}\n`);
      for (const c of noops) await c.stop();
      await yq.obliterate({ force: true });
      await yq.close();
    }

    if (modes.includes('live')) {
      const workers = await Promise.all(
        Array.from({ length: workersN }, (_, i) => startChild('worker', bundles.worker!, env, WORKER_READY).then((c) => ((c.name = `worker ${i + 1}`), c))),
      );
      const poller = await startChild('poller', bundles.poller!, env, POLLER_READY);
      const api = await startChild('api', bundles.api!, { ...env, API_PORT: '0' }, API_READY);
      started.push(...workers, poller, api);
      const tokens = await Promise.all(accounts.map((id) => signToken(SECRET, { accountId: id, role: 'trader' }, 3600)));
      const [last] = await sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from outbox_events`;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
      const ordersPerSecond = Number(values.rate) / 2; // a crossing pair writes 4 reports: 2 per order
      const total = Math.round(ordersPerSecond * Number(values.seconds));
      let errors = 0;
      const inflight: Promise<void>[] = [];
      const cpuBefore = cpuSnapshot([...workers, ws, poller, api]);
      const mailsBefore = sink.firstArrival.size;
      const startAt = Date.now();
      for (let i = 0; i < total; i++) {
        const due = startAt + (i * 1000) / ordersPerSecond;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        const pair = Math.floor(i / 2);
        const k = i % 2 === 0 ? pair % clientsN : (pair + 1) % clientsN;
        const body = JSON.stringify({ symbol: 'LIVE', side: i % 2 === 0 ? 'buy' : 'sell', type: 'limit', quantity: 10, price: '100.00' });
        inflight.push(postOrder(agent, Number(api.ready), tokens[k]!, body).then((status) => void (status !== 201 && errors++)));
      }
      await Promise.all(inflight);
      const driveMs = Date.now() - startAt;
      const [c] = await sql<{ n: string }[]>`select count(*)::text as n from outbox_events where id > ${last!.id}`;
      const n = Number(c!.n);
      await waitUntil('live events processed, on sockets and mailed', 120_000, async () => {
        const [r] = await sql<{ n: string }[]>`select count(*)::text as n from outbox_events where id > ${last!.id} and status = 'processed'`;
        return Number(r!.n) >= n && sink.firstArrival.size - mailsBefore >= n;
      });
      const wallMs = Date.now() - startAt;
      const cpuAfter = cpuSnapshot([...workers, ws, poller, api]);
      const latencies = [...receipts.entries()].filter(([id]) => BigInt(id) > BigInt(last!.id)).map(([, r]) => r.at - Date.parse(r.transactTime));
      const [p] = await sql<{ p50: number; p99: number }[]>`
        select percentile_cont(0.5) within group (order by extract(epoch from processed_at - created_at) * 1000) as p50,
               percentile_cont(0.99) within group (order by extract(epoch from processed_at - created_at) * 1000) as p99
        from outbox_events where id > ${last!.id}`;
      results.live = {
        'target reports/s': Number(values.rate),
        'reports/s written': Math.round(n / (driveMs / 1000)),
        reports: n,
        'http errors': errors,
        'on sockets': latencies.length,
        'commit→socket p50 ms': quantile(latencies, 0.5),
        'p95 ms': quantile(latencies, 0.95),
        'p99 ms': quantile(latencies, 0.99),
        'max ms': Math.max(...latencies),
        'commit→processed p50 ms': Number(Number(p!.p50).toFixed(1)),
        'commit→processed p99 ms': Number(Number(p!.p99).toFixed(1)),
        'mails/s': Math.round((sink.firstArrival.size - mailsBefore) / (driveMs / 1000)),
      };
      results['live CPU'] = cpuSplit(cpuBefore, cpuAfter, wallMs);
      process.stdout.write(`live: ${JSON.stringify(results.live)}\n`);
      agent.destroy();
    }

    for (const [k, v] of Object.entries(results)) {
      process.stdout.write(`\n${k}\n`);
      console.table(v);
    }
  } finally {
    for (const s of sockets) s.disconnect();
    for (const c of started.reverse()) await c.stop().catch(() => undefined);
    await sink.stop();
    await sql.end({ timeout: 5 });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(tmp, { recursive: true, force: true });
    if (!values.keep) await db.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-pipeline failed: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
