/**
 * `npm run bench:orders [-- --connections 8 --accounts 64 --orders 4000 --symbols 1,4 --batch 1,64 --concurrent 2 --notify true]`
 *
 * Places orders over HTTP keep-alive against a real api process (bundled like
 * `npm run build`, started as a child on a fresh database), N connections in a
 * closed loop, a mix that rests and crosses, on 1 and on 4 symbols, with
 * batching off (ORDER_BATCH_MAX=1) and on. Prints orders/s, reports written/s,
 * latency p50/p99, transactions and orders per transaction, and in the same
 * run pgbench's TPS for single-row INSERT transactions at the same
 * concurrency, with the ratio orders/s ÷ insert-TPS. Durability is untouched
 * (synchronous_commit and fsync as the server has them; printed).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import postgres from 'postgres';
import { signToken } from '@execn/auth';
import { migrateDatabase, splitDatabaseUrl } from '@execn/db';
import { quantile } from './bench-common';
import { cpuSeconds, fdatasyncOpsPerSecond, pgbenchInsertTps, runLoad, startApiChild } from './bench-orders-support';

const root = path.resolve(__dirname, '..');
const SECRET = 'bench-orders-secret-0123456789-0123456789';
const SYMBOLS = ['BA', 'BB', 'BC', 'BD'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Limit orders within ±5 ticks of 100.00 on both sides (they rest and cross), some IOC, some market. */
function orderBody(r: () => number, symbols: string[]): string {
  const symbol = symbols[Math.floor(r() * symbols.length)]!;
  const side = r() < 0.5 ? 'buy' : 'sell';
  const quantity = 1 + Math.floor(r() * 10);
  const kind = r();
  if (kind < 0.05) return JSON.stringify({ symbol, side, type: 'market', quantity });
  const cents = 10_000 + Math.floor(r() * 11) - 5;
  const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return JSON.stringify({ symbol, side, type: 'limit', quantity, price, timeInForce: kind < 0.15 ? 'IOC' : 'GTC' });
}

/** Transactions the api committed so far: the count of its `order_batch_size` histogram. */
async function batchCount(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^order_batch_size_count (\d+)/m.exec(text)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '8' },
      accounts: { type: 'string', default: '64' },
      orders: { type: 'string', default: '4000' },
      symbols: { type: 'string', default: '1,4' },
      batch: { type: 'string', default: '1,64' },
      concurrent: { type: 'string', default: '2' },
      'pgbench-seconds': { type: 'string', default: '5' },
      notify: { type: 'string', default: 'true' },
      keep: { type: 'boolean', default: false },
    },
  });
  const connections = Number(values.connections);
  const total = Number(values.orders);
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/exec_notify';
  const u = new URL(base);
  u.pathname = `/exec_notify_bench_${Date.now().toString(36)}`;
  const url = u.toString();
  await migrateDatabase(url);
  const sql = postgres(url, { max: 2, onnotice: () => undefined });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-orders-'));
  try {
    const accounts = Array.from({ length: Number(values.accounts) }, (_, i) => `bench-${i + 1}`);
    for (const id of accounts) await sql`insert into accounts (id, email) values (${id}, ${`${id}@bench.test`})`;
    for (const s of SYMBOLS) await sql`insert into instruments (symbol, tick_size) values (${s}, '0.01')`;
    const tokens = await Promise.all(accounts.map((id) => signToken(SECRET, { accountId: id }, 3600)));
    const settings = await sql<{ name: string; setting: string }[]>`
      select name, setting from pg_settings where name in ('synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay')`;
    process.stdout.write(
      `bench-orders: ${connections} connections, ${total} orders per run, ${os.cpus().length} cores, ` +
        `load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, notify ${values.notify}; ` +
        `${accounts.length} accounts; ${settings.map((s) => `${s.name}=${s.setting}`).join(' ')}\n`,
    );

    const bundle = path.join(tmp, 'api.js');
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    await build({
      entryPoints: [path.join(root, 'apps/api/src/main.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
      nodePaths: [path.join(root, 'node_modules')],
      logLevel: 'warning',
    });

    const rows: Record<string, string | number>[] = [];
    for (const batch of values.batch!.split(',').map(Number)) {
      const api = await startApiChild(bundle, {
        DATABASE_URL: url,
        API_PORT: '0',
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'info',
        ORDER_BATCH_MAX: String(batch),
        ORDER_MAX_CONCURRENT: values.concurrent!,
        ENABLE_NOTIFY: values.notify!,
        NODE_PATH: path.join(root, 'node_modules'),
      });
      try {
        for (const n of values.symbols!.split(',').map(Number)) {
          const symbols = SYMBOLS.slice(0, n);
          const r = rng(42 + n);
          const next = () => ({ token: tokens[Math.floor(r() * tokens.length)]!, body: orderBody(r, symbols) });
          await runLoad(api.port, connections, 300, next); // warm-up: JIT, prepared statements, pool
          const [before] = await sql<{ events: string; orders: string }[]>`
            select (select count(*) from outbox_events)::text as events, (select count(*) from orders)::text as orders`;
          const backends = (
            await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and application_name = 'api'`
          ).map((b) => b.pid);
          const cpuBefore = { api: cpuSeconds([api.child.pid!]), pg: cpuSeconds(backends), bench: process.cpuUsage() };
          const txBefore = await batchCount(api.port);
          const res = await runLoad(api.port, connections, total, next);
          const transactions = (await batchCount(api.port)) - txBefore;
          const benchCpu = process.cpuUsage(cpuBefore.bench);
          const cpuMs = (s: number) => Number(((s * 1000) / total).toFixed(3));
          const [after] = await sql<{ events: string; orders: string }[]>`
            select (select count(*) from outbox_events)::text as events, (select count(*) from orders)::text as orders`;
          const seconds = res.elapsedMs / 1000;
          const placed = Number(after!.orders) - Number(before!.orders);
          rows.push({
            batchMax: batch,
            symbols: n,
            'orders/s': Math.round(total / seconds),
            'reports/s': Math.round((Number(after!.events) - Number(before!.events)) / seconds),
            'p50 ms': Number(quantile(res.latenciesMs, 0.5).toFixed(2)),
            'p99 ms': Number(quantile(res.latenciesMs, 0.99).toFixed(2)),
            errors: res.errors,
            'tx/s': Math.round(transactions / seconds),
            'orders/tx': Number((placed / Math.max(1, transactions)).toFixed(2)),
            // CPU per order: api process, its PostgreSQL backends, this load generator.
            'api cpu ms': cpuMs(cpuSeconds([api.child.pid!]) - cpuBefore.api),
            'pg cpu ms': cpuMs(cpuSeconds(backends) - cpuBefore.pg),
            'client cpu ms': cpuMs((benchCpu.user + benchCpu.system) / 1e6),
          });
          process.stdout.write(`${JSON.stringify(rows[rows.length - 1])}\n`);
        }
      } finally {
        await api.stop();
      }
    }

    await sql`create table bench_insert (id bigint generated always as identity primary key, v text not null, at timestamptz not null default now())`;
    const script = path.join(tmp, 'insert.sql');
    writeFileSync(script, "insert into bench_insert (v) values ('x');\n");
    const tps = await pgbenchInsertTps(url, connections, Number(values['pgbench-seconds']), script);
    for (const row of rows) row['÷ insert TPS'] = Number((Number(row['orders/s']) / tps).toFixed(2));
    process.stdout.write(
      `\npgbench: single-row INSERT transactions at ${connections} clients: ${Math.round(tps)} TPS ` +
        `(load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})\n`,
    );
    console.table(rows);
    // Last, so its disk load does not disturb the runs: the WAL flush every commit waits for.
    process.stdout.write(`pg_test_fsync: fdatasync ${(await fdatasyncOpsPerSecond()) ?? 'n/a'} ops/s\n`);
  } finally {
    await sql.end({ timeout: 5 });
    rmSync(tmp, { recursive: true, force: true });
    if (!values.keep) {
      const admin = postgres(splitDatabaseUrl(url).adminUrl, { max: 1, onnotice: () => undefined });
      await admin.unsafe(`drop database if exists "${splitDatabaseUrl(url).database}" with (force)`);
      await admin.end({ timeout: 5 });
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-orders failed: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
