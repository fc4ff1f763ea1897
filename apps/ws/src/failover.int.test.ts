import { connectTrader, type SeqGap, type TraderConnection } from '@execn/client';
import { accountRoom } from '@execn/contracts';
import { createTestDatabase, startAppProcess, uniqueId, uniquePrefix, waitFor, type AppProcess, type TestDatabase } from '@execn/testing';
import { appendReports, createAccount, createOrder } from './test-support/report-log';
import { REDIS_URL, TEST_JWT_SECRET, createTestEmitter, traderToken } from './test-support/ws-node';

/** A ws node as a child process and the URL it listens on. */
type WsChild = AppProcess & { url: string };

/** Starts a ws node child on a free port and resolves once it logged its port. */
async function spawnWsChild(databaseUrl: string, queuePrefix: string): Promise<WsChild> {
  const env = { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '4', REDIS_URL, QUEUE_PREFIX: queuePrefix, JWT_SECRET: TEST_JWT_SECRET, WS_PORT: '0' };
  const node = await startAppProcess('ws', env, /"msg":"ws node listening"/, 20_000);
  return { ...node, url: `http://127.0.0.1:${node.port}` };
}

/** ws nodes as real processes: SIGKILL loses nothing for SDK clients; SIGTERM exits 0 quickly. */
describe('ws node processes', () => {
  let db: TestDatabase;
  let prefix: string;
  let emitter: ReturnType<typeof createTestEmitter>;
  const children: WsChild[] = [];
  const connections: TraderConnection[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ max: 4 });
    prefix = uniquePrefix('failover');
    emitter = createTestEmitter(prefix);
    children.push(...(await Promise.all([spawnWsChild(db.url, prefix), spawnWsChild(db.url, prefix)])));
  }, 60_000);

  afterAll(async () => {
    for (const c of connections) c.close();
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    await emitter?.close();
    await db?.drop();
  });

  it('a node killed with SIGKILL: its SDK clients reconnect to the other node and miss nothing', async () => {
    const [doomed, survivor] = children as [WsChild, WsChild];
    const traders = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const id = uniqueId('trader');
        await createAccount(db.sql, id);
        return { id, orderId: await createOrder(db.sql, id), received: [] as number[], gaps: [] as SeqGap[] };
      }),
    );
    for (const t of traders) {
      const conn = connectTrader({
        urls: [doomed.url, survivor.url],
        token: await traderToken(t.id),
        onReport: (r) => t.received.push(r.seq),
        onGap: (g) => t.gaps.push(g),
      });
      connections.push(conn);
    }
    await waitFor(() => connections.every((c) => c.status === 'live'), 10_000, 'all live on the doomed node');
    const produce = async (count: number) => {
      for (const t of traders) {
        for (const r of await appendReports(db.sql, t.id, t.orderId, count)) {
          emitter.emitter.to(accountRoom(t.id)).emit('execution.report', r);
        }
      }
    };
    await produce(10);
    await waitFor(() => traders.every((t) => t.received.length === 10), 10_000, 'first 10 each');

    doomed.child.kill('SIGKILL');
    // Reports keep coming while the clients find the other node.
    for (let round = 0; round < 5; round++) await produce(4);
    expect((await doomed.exited).signal).toBe('SIGKILL');

    await waitFor(
      () => traders.every((t) => t.received.length === 30) && connections.every((c) => c.status === 'live'),
      15_000,
      'every report on the surviving node',
    );
    for (const t of traders) {
      expect(t.received).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(t.gaps).toEqual([]);
    }
    expect(connections.every((c) => c.url === survivor.url)).toBe(true);
  }, 60_000);

  it('SIGTERM: the node tells its clients, closes and exits 0 within 10 s', async () => {
    const survivor = children[1]!;
    const started = Date.now();
    survivor.child.kill('SIGTERM');
    const { code } = await survivor.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(survivor.output()).toContain('shutdown complete');
    await waitFor(() => connections.every((c) => c.status === 'reconnecting'), 5_000, 'clients told to reconnect');
  }, 30_000);
});
