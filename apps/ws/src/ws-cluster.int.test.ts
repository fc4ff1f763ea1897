import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { signToken } from '@execn/auth';
import { accountRoom, orderRoom, type ExecutionReport, type ServerToClientEvents } from '@execn/contracts';
import { socketIoAdapterKey } from '@execn/queues';
import { createTestDatabase, uniqueId, uniquePrefix, waitFor, type TestDatabase } from '@execn/testing';
import { appendReports, createAccount, createOrder } from './test-support/report-log';
import {
  connectRaw,
  createTestEmitter,
  refusal,
  startWsNode,
  traderToken,
  type RawClient,
  type TestWsNode,
} from './test-support/ws-node';

describe('ws cluster (two nodes, Redis adapter, emitter from outside)', () => {
  let db: TestDatabase;
  let prefix: string;
  let nodeA: TestWsNode;
  let nodeB: TestWsNode;
  let emitter: ReturnType<typeof createTestEmitter>;
  const clients: RawClient[] = [];
  const alice = uniqueId('alice');
  const bob = uniqueId('bob');
  let aliceOrder: string;
  let bobOrder: string;

  const connect = async (url: string, accountId: string) => {
    const socket = await connectRaw(url, await traderToken(accountId));
    clients.push(socket);
    const received: ExecutionReport[] = [];
    socket.on('execution.report', (r) => received.push(r));
    return { socket, received };
  };
  const report = (accountId: string, orderId: string, seq: number): ExecutionReport => ({
    eventId: String(seq),
    seq,
    execId: randomUUID(),
    execType: 'new',
    status: 'working',
    orderId,
    clientOrderId: null,
    accountId,
    symbol: 'AAPL',
    side: 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    price: '100',
    quantity: 10,
    lastQty: null,
    lastPx: null,
    tradeId: null,
    cumQty: 0,
    leavesQty: 10,
    avgPx: null,
    reason: null,
    transactTime: new Date().toISOString(),
  });

  beforeAll(async () => {
    db = await createTestDatabase({ max: 4 });
    prefix = uniquePrefix('ws');
    await createAccount(db.sql, alice);
    await createAccount(db.sql, bob);
    aliceOrder = await createOrder(db.sql, alice);
    bobOrder = await createOrder(db.sql, bob);
    nodeA = await startWsNode(prefix, db);
    nodeB = await startWsNode(prefix, db, { rateLimitPerSecond: 20, maxMessageBytes: 1_024 });
    emitter = createTestEmitter(prefix);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    await emitter?.close();
    await nodeA?.close();
    await nodeB?.close();
    await db?.drop();
  });

  it('delivers a report emitted through Redis to the account on every node, and to no other account', async () => {
    const aliceOnA = await connect(nodeA.url, alice);
    const aliceOnB = await connect(nodeB.url, alice);
    const bobOnB = await connect(nodeB.url, bob);
    emitter.emitter.to(accountRoom(alice)).emit('execution.report', report(alice, aliceOrder, 1));
    // A sentinel for bob, published after alice's report on the same connection, arrives after it.
    emitter.emitter.to(accountRoom(bob)).emit('execution.report', report(bob, bobOrder, 1));
    await waitFor(() => aliceOnA.received.length === 1 && aliceOnB.received.length === 1, 5_000, 'alice on both nodes');
    await waitFor(() => bobOnB.received.length === 1, 5_000, 'bob sentinel');
    expect(aliceOnB.received[0]!.accountId).toBe(alice);
    expect(bobOnB.received.map((r) => r.accountId)).toEqual([bob]);
    expect(aliceOnA.received.every((r) => r.accountId === alice)).toBe(true);
  });

  it('hears nothing from a stack with another QUEUE_PREFIX sharing the same Redis', async () => {
    const a = await connect(nodeA.url, alice);
    // Both stacks publish on ONE connection: Redis delivers in publish order, so once the
    // sentinel (published second) has arrived, the other stack's report would have too.
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const otherStack = new Emitter<ServerToClientEvents>(redis, { key: socketIoAdapterKey(uniquePrefix('other-stack')) });
      const thisStack = new Emitter<ServerToClientEvents>(redis, { key: socketIoAdapterKey(prefix) });
      otherStack.to(accountRoom(alice)).emit('execution.report', report(alice, aliceOrder, 90));
      thisStack.to(accountRoom(alice)).emit('execution.report', report(alice, aliceOrder, 91));
      await waitFor(() => a.received.length >= 1, 5_000, 'the sentinel');
      expect(a.received.map((r) => r.seq)).toEqual([91]);
    } finally {
      await redis.quit();
    }
  });

  it('delivers once to a socket in both the account room and the order room', async () => {
    const a = await connect(nodeB.url, alice);
    expect(await a.socket.emitWithAck('subscribe', { orderId: aliceOrder })).toEqual({ ok: true });
    emitter.emitter.to([accountRoom(alice), orderRoom(aliceOrder)]).emit('execution.report', report(alice, aliceOrder, 2));
    emitter.emitter.to(accountRoom(alice)).emit('execution.report', report(alice, aliceOrder, 3));
    await waitFor(() => a.received.length >= 2, 5_000, 'two reports');
    expect(a.received.map((r) => r.seq)).toEqual([2, 3]);
  });

  it('subscribe: own order joins its room; foreign, unknown and malformed ids are not_found; unsubscribe leaves', async () => {
    const a = await connect(nodeA.url, alice);
    const orderOnly = report(alice, aliceOrder, 4);
    expect(await a.socket.emitWithAck('subscribe', { orderId: bobOrder })).toEqual({ ok: false, error: 'not_found' });
    expect(await a.socket.emitWithAck('subscribe', { orderId: randomUUID() })).toEqual({ ok: false, error: 'not_found' });
    expect(await a.socket.emitWithAck('subscribe', { orderId: 'nope' })).toEqual({ ok: false, error: 'not_found' });
    expect(await a.socket.emitWithAck('subscribe', { nope: 1 } as never)).toEqual({ ok: false, error: 'validation_error' });
    expect(await a.socket.emitWithAck('subscribe', { orderId: aliceOrder })).toEqual({ ok: true });
    emitter.emitter.to(orderRoom(aliceOrder)).emit('execution.report', orderOnly);
    await waitFor(() => a.received.length === 1, 5_000, 'order-room report');
    expect(await a.socket.emitWithAck('unsubscribe', { orderId: aliceOrder })).toEqual({ ok: true });
    emitter.emitter.to(orderRoom(aliceOrder)).emit('execution.report', report(alice, aliceOrder, 5));
    emitter.emitter.to(accountRoom(alice)).emit('execution.report', report(alice, aliceOrder, 6));
    await waitFor(() => a.received.length === 2, 5_000, 'sentinel');
    expect(a.received.map((r) => r.seq)).toEqual([4, 6]);
  });

  it('refuses missing, malformed, expired and wrongly signed tokens with unauthorized', async () => {
    const expired = await signToken('test-secret-for-ws-integration-0123456789abcdef', { accountId: alice }, -60);
    const forged = await signToken('another-secret-another-secret-another-secret', { accountId: alice });
    expect(await refusal(nodeA.url, {})).toBe('unauthorized');
    expect(await refusal(nodeA.url, { token: 'not-a-jwt' })).toBe('unauthorized');
    expect(await refusal(nodeA.url, { token: 42 })).toBe('unauthorized');
    expect(await refusal(nodeA.url, { token: expired })).toBe('unauthorized');
    expect(await refusal(nodeB.url, { token: forged })).toBe('unauthorized');
    expect(await refusal(nodeB.url, { token: await traderToken(alice) })).toBe('connected');
  });

  it('disconnects a socket when its token expires', async () => {
    const socket = await connectRaw(nodeA.url, await traderToken(alice, 2));
    clients.push(socket);
    const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
  });

  it('resume replays from PostgreSQL and validates sinceSeq', async () => {
    const carol = uniqueId('carol');
    await createAccount(db.sql, carol);
    const order = await createOrder(db.sql, carol);
    const written = await appendReports(db.sql, carol, order, 7);
    const c = await connect(nodeB.url, carol);
    for (const bad of [-1, 1.5, '3', true]) {
      expect(await c.socket.emitWithAck('resume', { sinceSeq: bad as never })).toEqual({ ok: false, error: 'validation_error' });
    }
    expect(await c.socket.emitWithAck('resume', { sinceSeq: 4 })).toEqual({ ok: true, replayed: 3, lastSeq: 7 });
    expect(c.received).toEqual(written.slice(4));
    expect(await c.socket.emitWithAck('resume', { sinceSeq: 7 })).toEqual({ ok: true, replayed: 0, lastSeq: 7 });
    expect(await c.socket.emitWithAck('resume', { sinceSeq: 99 })).toEqual({ ok: true, replayed: 0, lastSeq: 7 });
    c.received.length = 0;
    expect(await c.socket.emitWithAck('resume', { sinceSeq: null })).toEqual({ ok: true, replayed: 7, lastSeq: 7 });
    expect(await c.socket.emitWithAck('resume', {})).toEqual({ ok: true, replayed: 7, lastSeq: 7 });
    expect(c.received.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('rate-limits client events per socket', async () => {
    const a = await connect(nodeB.url, alice);
    const started = Date.now();
    const acks = await Promise.all(
      Array.from({ length: 60 }, () => a.socket.emitWithAck('unsubscribe', { orderId: aliceOrder })),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const limited = acks.filter((x) => !x.ok && x.error === 'rate_limited').length;
    // 20/s with a one-second burst: at most 20 plus what refilled while the burst was arriving.
    expect(acks.length - limited).toBeGreaterThanOrEqual(20);
    expect(acks.length - limited).toBeLessThanOrEqual(21 + Math.ceil(elapsedS * 20));
    expect(limited).toBeGreaterThan(0);
  });

  it('drops a connection that sends a message over the size limit', async () => {
    const a = await connect(nodeB.url, alice);
    const gone = new Promise<string>((resolve) => a.socket.once('disconnect', resolve));
    a.socket.emit('subscribe', { orderId: 'x'.repeat(4_096) }, () => undefined);
    expect(await gone).toMatch(/transport (close|error)/);
  });

  it('answers /healthz, /readyz and /metrics with the connected-clients gauge', async () => {
    await connect(nodeA.url, alice);
    await connect(nodeA.url, bob);
    expect((await fetch(`${nodeA.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${nodeA.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${nodeA.url}/metrics`)).text();
    expect(metrics).toMatch(/^ws_connected_clients 2$/m);
    expect((await fetch(`${nodeA.url}/nope`)).status).toBe(404);
  });
});
