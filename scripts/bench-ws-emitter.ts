/**
 * Child process of `npm run bench:ws`: broadcasts execution reports through
 * Redis with `@socket.io/redis-emitter`, as a worker does, to `accounts`
 * distinct account rooms in turn, at `rate` messages/s for `durationMs`
 * (rate 0 = as fast as Redis takes them, `count` messages). Each report's
 * `execId` carries its send time so the clients can measure latency.
 * Input: one JSON argument; output: one JSON line `{sent, elapsedMs}`.
 */
import { performance } from 'node:perf_hooks';
import { Emitter } from '@socket.io/redis-emitter';
import pino from 'pino';
import { accountRoom, type ExecutionReport, type ServerToClientEvents } from '@execn/contracts';
import { createRedisClient, socketIoAdapterKey } from '@execn/queues';

interface EmitterJob {
  redisUrl: string;
  prefix: string;
  accountPrefix: string;
  accounts: number;
  rate: number;
  durationMs: number;
  count: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as EmitterJob;
const now = () => performance.timeOrigin + performance.now();

function report(i: number): ExecutionReport {
  const accountId = `${job.accountPrefix}${i % job.accounts}`;
  return {
    eventId: String(i + 1),
    seq: Math.floor(i / job.accounts) + 1,
    execId: `bench:${now()}`,
    execType: 'trade',
    status: 'partially_filled',
    orderId: '00000000-0000-4000-8000-000000000000',
    clientOrderId: null,
    accountId,
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    price: '101.25',
    quantity: 100,
    lastQty: 1,
    lastPx: '101.25',
    tradeId: 'bench',
    cumQty: 1,
    leavesQty: 99,
    avgPx: '101.25',
    reason: null,
    transactTime: new Date().toISOString(),
  };
}

async function main(): Promise<void> {
  const redis = createRedisClient({ mode: 'standalone', url: job.redisUrl }, pino({ level: 'warn' }), 'bench-emitter');
  await redis.ping();
  const emitter = new Emitter<ServerToClientEvents>(redis, { key: socketIoAdapterKey(job.prefix) });
  const send = (i: number) => {
    const r = report(i);
    emitter.to(accountRoom(r.accountId)).emit('execution.report', r);
  };
  const started = now();
  let sent = 0;
  if (job.rate <= 0) {
    for (; sent < job.count; sent++) {
      send(sent);
      // Let ioredis flush now and then, so timestamps stay honest.
      if (sent % 500 === 499) await new Promise((r) => setImmediate(r));
    }
  } else {
    // Paced in 5 ms ticks: each tick sends what the schedule owes so far.
    const total = Math.round((job.rate * job.durationMs) / 1000);
    while (sent < total) {
      const due = Math.min(total, Math.floor(((now() - started) * job.rate) / 1000));
      for (; sent < due; sent++) send(sent);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  await redis.ping();
  const elapsedMs = now() - started;
  await redis.quit();
  process.stdout.write(`${JSON.stringify({ sent, elapsedMs })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench emitter failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
