import { io } from 'socket.io-client';
import { createTestDatabase, insertAccount, insertOrder, insertReportBacklog, uniquePrefix, type TestDatabase } from '@execn/testing';
import { connectRaw, refusal, startWsNode, traderToken, type RawClient, type TestWsNode } from './test-support/ws-node';

/**
 * Issue 11 item 1, the per-account and per-socket caps of a ws node, on a real
 * node, Redis and PostgreSQL: sockets per account, order rooms per socket, one
 * resume at a time per socket, websocket transport only unless turned on.
 */
let db: TestDatabase;
let node: TestWsNode;
const clients: RawClient[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ max: 4 });
  node = await startWsNode(uniquePrefix('wslim'), db, { maxConnectionsPerAccount: 3, maxSubscriptionsPerSocket: 2 });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await node?.close();
  await db?.drop();
});

const connect = async (accountId: string) => {
  const c = await connectRaw(node.url, await traderToken(accountId));
  clients.push(c);
  return c;
};

it('refuses a socket beyond WS_MAX_CONNECTIONS_PER_ACCOUNT with too_many_connections, and counts a closed one out', async () => {
  const { id } = await insertAccount(db.sql);
  // Concurrent handshakes: the check and the count are one step, so no more than the cap get through.
  const token = await traderToken(id);
  const results = await Promise.all(Array.from({ length: 5 }, () => refusalOrSocket(token)));
  expect(results.filter((r) => r === 'too_many_connections')).toHaveLength(2);
  expect(await refusal(node.url, { token })).toBe('too_many_connections');
  // Another account is not affected.
  await connect((await insertAccount(db.sql)).id);
  // One closes: one more may connect.
  clients.find((c) => c.connected && (c.auth as { token?: string }).token === token)!.close();
  await waitForRefusalToClear(token);
});

/** Connects and keeps the socket (closed in afterAll), or returns the refusal's message. */
async function refusalOrSocket(token: string): Promise<string> {
  const socket: RawClient = io(node.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  clients.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

async function waitForRefusalToClear(token: string): Promise<void> {
  const until = Date.now() + 5_000;
  for (;;) {
    const r = await refusalOrSocket(token);
    if (r === 'connected') return;
    if (Date.now() > until) throw new Error(`still refused after a socket closed: ${r}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

it('caps the order rooms of a socket (WS_MAX_SUBSCRIPTIONS_PER_SOCKET): one more acks too_many_subscriptions', async () => {
  const { id } = await insertAccount(db.sql);
  const orders = await Promise.all([1, 2, 3].map(() => insertOrder(db.sql, { accountId: id })));
  const c = await connect(id);
  expect(await c.emitWithAck('subscribe', { orderId: orders[0]! })).toEqual({ ok: true });
  expect(await c.emitWithAck('subscribe', { orderId: orders[1]! })).toEqual({ ok: true });
  expect(await c.emitWithAck('subscribe', { orderId: orders[2]! })).toEqual({ ok: false, error: 'too_many_subscriptions' });
  // Subscribing again to a room it holds is fine; leaving one makes room.
  expect(await c.emitWithAck('subscribe', { orderId: orders[0]! })).toEqual({ ok: true });
  expect(await c.emitWithAck('unsubscribe', { orderId: orders[0]! })).toEqual({ ok: true });
  expect(await c.emitWithAck('subscribe', { orderId: orders[2]! })).toEqual({ ok: true });
});

it('runs one resume at a time per socket: another while one runs acks resume_in_progress', async () => {
  const { id } = await insertAccount(db.sql);
  await insertReportBacklog(db.sql, [{ accountId: id, orderId: await insertOrder(db.sql, { accountId: id }) }], 2_000);
  const c = await connect(id);
  const acks = await Promise.all(Array.from({ length: 5 }, () => c.emitWithAck('resume', { sinceSeq: 0 })));
  expect(acks[0]).toEqual({ ok: true, replayed: 2_000, lastSeq: 2_000 });
  expect(acks.slice(1)).toEqual(Array(4).fill({ ok: false, error: 'resume_in_progress' }));
  // Once it acked, the next runs.
  expect(await c.emitWithAck('resume', { sinceSeq: 1_990 })).toEqual({ ok: true, replayed: 10, lastSeq: 2_000 });
});

it('offers the websocket transport only, unless WS_ALLOW_POLLING', async () => {
  const { id } = await insertAccount(db.sql);
  const token = await traderToken(id);
  const viaPolling = (url: string) =>
    new Promise<string>((resolve) => {
      const s = io(url, { transports: ['polling'], reconnection: false, forceNew: true, auth: { token } });
      s.once('connect', () => (s.close(), resolve('connected')));
      s.once('connect_error', (err) => (s.close(), resolve(err.message)));
    });
  expect(await viaPolling(node.url)).not.toBe('connected');
  const polling = await startWsNode(uniquePrefix('wspoll'), db, { allowPolling: true });
  try {
    expect(await viaPolling(polling.url)).toBe('connected');
  } finally {
    await polling.close();
  }
});
