/**
 * The server sides of `npm run bench:floor`, one per child process so that each one's CPU is its own:
 * `FLOOR_ROLE=<role> node --import tsx scripts/bench-floor-roles.ts` prints `ready <port>` once it serves. Each is the
 * bare library doing one hop of the live path, with none of this project's code:
 *
 * - `echo`: a TCP echo server (node:net).
 * - `http`: Express with `express.json()` answering `POST /v1/orders` with a 201 JSON body of an order's size.
 * - `bullmq-worker`: a BullMQ Worker (concurrency 20) whose processor does nothing (but PUBLISH the job's id
 *   on `floor-done` when its data asks, for the idle latency probe).
 * - `ws`: a Socket.IO server on the Redis adapter; a client joins the room named in its handshake.
 */
import net from 'node:net';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';

export const FLOOR_QUEUE = 'floor';

/** The answer of the `http` role: an order and its two reports, the size of the api's 201. */
export const ORDER_ANSWER = {
  order: { id: '0190b2c4-6f1e-7c3a-9d2e-5b8f0a1c2d3e', symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 10, price: '100.00', status: 'filled', cumQty: 10, leavesQty: 0, avgPx: '100.00' },
  reports: Array.from({ length: 2 }, (_, i) => ({
    eventId: String(1000 + i), seq: i + 1, execId: `x-${i}`, orderId: '0190b2c4-6f1e-7c3a-9d2e-5b8f0a1c2d3e', clientOrderId: null, accountId: 'alice',
    symbol: 'AAPL', side: 'buy', ordType: 'limit', execType: i === 0 ? 'new' : 'trade', ordStatus: i === 0 ? 'new' : 'filled', price: '100.00000000',
    lastQty: i * 10, lastPx: i ? '100.00000000' : null, cumQty: i * 10, leavesQty: 10 - i * 10, avgPx: i ? '100.00000000' : null, orderQty: 10,
    transactTime: '2026-11-28T16:00:00.000Z', reason: null,
  })),
};

async function main(role: string): Promise<void> {
  const ready = (port: number) => process.stdout.write(`ready ${port}\n`);
  if (role === 'echo') {
    const server = net.createServer({ noDelay: true }, (s) => s.on('data', (d) => s.write(d)));
    server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
  } else if (role === 'http') {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(express.json({ limit: 64 * 1024 }));
    app.post('/v1/orders', (req, res) => {
      res.status(201).json({ ...ORDER_ANSWER, echo: typeof req.body === 'object' });
    });
    const server = http.createServer(app);
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
  } else if (role === 'bullmq-worker') {
    const connection = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    const echo = connection.duplicate();
    const worker = new Worker(
      FLOOR_QUEUE,
      async (job) => {
        if (job.data.echo) await echo.publish('floor-done', String(job.id));
      },
      { connection, concurrency: 20 },
    );
    await worker.waitUntilReady();
    ready(0);
  } else if (role === 'ws') {
    const pub = new Redis(process.env.REDIS_URL!);
    const sub = pub.duplicate();
    const server = http.createServer();
    const io = new Server(server, { adapter: createAdapter(pub, sub, { key: 'floor' }) });
    io.on('connection', (socket) => void socket.join(String(socket.handshake.auth.room)));
    server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
  } else {
    throw new Error(`unknown role ${role}`);
  }
  process.on('SIGTERM', () => process.exit(0));
}

if (process.env.FLOOR_ROLE) void main(process.env.FLOOR_ROLE);
