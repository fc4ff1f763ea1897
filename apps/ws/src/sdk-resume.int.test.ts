import { connectTrader, type ConnectionStatus, type SeqGap, type TraderConnection } from '@execn/client';
import { accountRoom, type ExecutionReport } from '@execn/contracts';
import { listReportsSince } from '@execn/db';
import { createTestDatabase, insertReportBacklog, uniqueId, uniquePrefix, waitFor, type TestDatabase } from '@execn/testing';
import { appendReports, createAccount, createOrder } from './test-support/report-log';
import { connectRaw, createTestEmitter, startWsNode, traderToken, type TestWsNode } from './test-support/ws-node';

/** The trader SDK against real ws nodes: resume after a disconnect, dedup, gap filling, failover on shutdown. */
describe('@execn/client against real ws nodes', () => {
  let db: TestDatabase;
  let prefix: string;
  let node: TestWsNode;
  let emitter: ReturnType<typeof createTestEmitter>;
  const connections: TraderConnection[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ max: 4 });
    prefix = uniquePrefix('sdk');
    node = await startWsNode(prefix, db, { resumeBatchSize: 7 });
    emitter = createTestEmitter(prefix);
  });
  afterEach(() => {
    for (const c of connections.splice(0)) c.close();
  });
  afterAll(async () => {
    await emitter?.close();
    await node?.close();
    await db?.drop();
  });

  /** Writes reports to the log and broadcasts them, as the worker does. */
  const produce = async (accountId: string, orderId: string, count: number) => {
    const reports = await appendReports(db.sql, accountId, orderId, count);
    for (const r of reports) emitter.emitter.to(accountRoom(accountId)).emit('execution.report', r);
    return reports;
  };
  const newAccount = async () => {
    const id = uniqueId('trader');
    await createAccount(db.sql, id);
    return { id, orderId: await createOrder(db.sql, id), token: await traderToken(id) };
  };
  const track = (connection: TraderConnection) => {
    connections.push(connection);
    return connection;
  };

  /** A new account's SDK connection, live, with a 50 ms gap grace; what it delivered and the gaps it gave up. */
  const liveWithShortGaps = async (gapTimeoutMs = 400) => {
    const acc = await newAccount();
    const received: number[] = [];
    const gaps: SeqGap[] = [];
    const conn = track(
      connectTrader({
        url: node.url,
        token: acc.token,
        gapGraceMs: 50,
        gapTimeoutMs,
        onReport: (r) => received.push(r.seq),
        onGap: (g) => gaps.push(g),
      }),
    );
    await waitFor(() => conn.status === 'live', 5_000, 'live');
    return { acc, received, gaps, conn };
  };

  it('a client disconnected while 50 reports were produced gets exactly the missed ones, in order', async () => {
    const acc = await newAccount();
    const received: ExecutionReport[] = [];
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    const statuses: ConnectionStatus[] = [];
    const conn = track(
      connectTrader({
        url: node.url,
        token: async () => {
          await gate;
          return acc.token;
        },
        onReport: (r) => received.push(r),
        onStatus: (s) => statuses.push(s),
      }),
    );
    await waitFor(() => conn.status === 'live', 5_000, 'live');
    await produce(acc.id, acc.orderId, 3);
    await waitFor(() => received.length === 3, 5_000, 'first 3 reports');

    // Hold the next handshake until the 50 reports are written and broadcast to nobody.
    gate = new Promise<void>((r) => (release = r));
    node.server.io.in(accountRoom(acc.id)).disconnectSockets(true);
    await waitFor(() => conn.status === 'reconnecting', 5_000, 'reconnecting');
    const missed = await produce(acc.id, acc.orderId, 50);
    release();

    await waitFor(() => received.length === 53 && conn.status === 'live', 10_000, 'the 50 missed reports');
    expect(received.slice(3)).toEqual(missed);
    expect(received.map((r) => r.seq)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
    // What REST /v1/execution-reports reads agrees with what the socket delivered.
    expect(await listReportsSince(db.sql, acc.id, 3, 1_000)).toEqual(missed);
    expect(conn.lastSeq).toBe(53);
    expect(statuses).toEqual(['connecting', 'resuming', 'live', 'reconnecting', 'resuming', 'live']);
  });

  it('drops duplicates and fills a gap left by a lost broadcast by resuming', async () => {
    const { acc, received, gaps } = await liveWithShortGaps(5_000);
    const written = await appendReports(db.sql, acc.id, acc.orderId, 4);
    // Only the last broadcast arrives, twice; 1-3 were lost on the way.
    emitter.emitter.to(accountRoom(acc.id)).emit('execution.report', written[3]!);
    emitter.emitter.to(accountRoom(acc.id)).emit('execution.report', written[3]!);
    await waitFor(() => received.length === 4, 5_000, 'gap filled');
    await produce(acc.id, acc.orderId, 1);
    await waitFor(() => received.length === 5, 5_000, 'next live report');
    expect(received).toEqual([1, 2, 3, 4, 5]);
    expect(gaps).toEqual([]);
  });

  it('does not give a gap up while the node cannot read the history (its database failing), and fills it once it can', async () => {
    const { acc, received, gaps, conn } = await liveWithShortGaps();
    const written = await appendReports(db.sql, acc.id, acc.orderId, 4);
    // The node's reads of the log now fail for real (as while PostgreSQL restarts), for far longer than the gap timeout.
    await db.sql`alter table outbox_events rename to outbox_events_away`;
    try {
      emitter.emitter.to(accountRoom(acc.id)).emit('execution.report', written[3]!);
      await waitFor(() => received.length === 0 && conn.lastSeq === 0, 1_000, 'nothing delivered past the gap');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(gaps).toEqual([]);
    } finally {
      await db.sql`alter table outbox_events_away rename to outbox_events`;
    }
    await waitFor(() => received.length === 4, 10_000, 'gap filled once the node can read again');
    expect(received).toEqual([1, 2, 3, 4]);
    expect(gaps).toEqual([]);
  });

  it('reports a gap it cannot fill, then moves on', async () => {
    const { acc, received, gaps, conn } = await liveWithShortGaps();
    const [first] = await produce(acc.id, acc.orderId, 1);
    await waitFor(() => received.length === 1, 5_000, 'first report');
    // A report from beyond the log (seq 5 while the log ends at 1): seqs 2-4 can never be found.
    emitter.emitter.to(accountRoom(acc.id)).emit('execution.report', { ...first!, seq: 5 });
    await waitFor(() => gaps.length === 1, 5_000, 'gap reported');
    expect(gaps).toEqual([{ fromSeq: 2, toSeq: 4 }]);
    expect(received).toEqual([1, 5]);
  });

  it('a replay stops when its socket goes: the node does not read the rest of the log for a client that left', async () => {
    const acc = await newAccount();
    await insertReportBacklog(db.sql, [{ accountId: acc.id, orderId: acc.orderId }], 5_000);
    const replayedSoFar = async () => (await node.metrics.wsResumeReportsTotal.get()).values[0]?.value ?? 0;
    const before = await replayedSoFar();
    const socket = await connectRaw(node.url, acc.token);
    let got = 0;
    socket.on('execution.report', () => {
      if (++got === 50) socket.disconnect();
    });
    socket.emit('resume', { sinceSeq: 0 }, () => undefined);
    await waitFor(() => got >= 50, 5_000, 'the first 50 replayed reports');
    await new Promise((r) => setTimeout(r, 1_500));
    // Batches of 7 (this node's resumeBatchSize): a few at most after the disconnect, not the other ~4,900 reports.
    expect((await replayedSoFar()) - before).toBeLessThan(200);
  });

  it('subscribe through the SDK: own order ok, another account order not_found', async () => {
    const acc = await newAccount();
    const other = await newAccount();
    const conn = track(connectTrader({ url: node.url, token: acc.token, onReport: () => undefined }));
    await waitFor(() => conn.status === 'live', 5_000, 'live');
    expect(await conn.subscribe(acc.orderId)).toEqual({ ok: true });
    expect(await conn.subscribe(other.orderId)).toEqual({ ok: false, error: 'not_found' });
    expect(await conn.unsubscribe(acc.orderId)).toEqual({ ok: true });
  });

  it('stops with status unauthorized when its fixed token is refused', async () => {
    const statuses: ConnectionStatus[] = [];
    const conn = track(connectTrader({ url: node.url, token: 'bad', onReport: () => undefined, onStatus: (s) => statuses.push(s) }));
    await waitFor(() => conn.status === 'unauthorized', 5_000, 'unauthorized');
    expect(statuses).toEqual(['connecting', 'unauthorized']);
  });

  it('on a node shutdown, clients are told, move to another node and resume', async () => {
    const acc = await newAccount();
    const leaving = await startWsNode(prefix, db);
    const received: number[] = [];
    const conn = track(
      connectTrader({ urls: [leaving.url, node.url], token: acc.token, onReport: (r) => received.push(r.seq) }),
    );
    await waitFor(() => conn.status === 'live', 5_000, 'live');
    await produce(acc.id, acc.orderId, 2);
    await waitFor(() => received.length === 2, 5_000, 'first reports');
    // Committed but never broadcast: only a resume on the next node can deliver them. Written before the
    // node leaves, because the SDK may have moved and resumed before close() even returns.
    await appendReports(db.sql, acc.id, acc.orderId, 3);
    await leaving.close();
    await waitFor(() => received.length === 5 && conn.status === 'live', 5_000, 'resumed on the other node');
    expect(conn.url).toBe(node.url);
    expect(received).toEqual([1, 2, 3, 4, 5]);
  });
});
