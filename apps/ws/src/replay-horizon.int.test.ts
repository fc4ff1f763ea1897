import pino from 'pino';
import { connectTrader, type ReplayHorizonEvent, type SeqGap, type TraderConnection } from '@execn/client';
import { accountRoom, type ExecutionReport } from '@execn/contracts';
import { ReportRetention } from '@execn/outbox';
import { ageReports, createTestDatabase, startAppProcess, uniqueId, uniquePrefix, waitFor, type AppProcess, type TestDatabase } from '@execn/testing';
import { appendReports, createAccount, createOrder } from './test-support/report-log';
import { REDIS_URL, TEST_JWT_SECRET, connectRaw, createTestEmitter, startWsNode, traderToken, type TestWsNode } from './test-support/ws-node';

const DAY_MS = 86_400_000;

/**
 * The replay horizon end to end: reports deleted by retention (rows aged by a fixture, then a real retention
 * pass), then REST, a raw socket and the SDK asking for history below it.
 */
describe('replay horizon', () => {
  let db: TestDatabase;
  let node: TestWsNode;
  let api: AppProcess;
  let apiUrl: string;
  let emitter: ReturnType<typeof createTestEmitter>;
  const connections: TraderConnection[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ max: 4 });
    const prefix = uniquePrefix('horizon');
    [node, api] = await Promise.all([
      startWsNode(prefix, db),
      startAppProcess(
        'api',
        { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, JWT_SECRET: TEST_JWT_SECRET, API_PORT: '0', LOG_LEVEL: 'info' },
        /api listening/,
      ),
    ]);
    apiUrl = `http://127.0.0.1:${api.port}`;
    emitter = createTestEmitter(prefix);
  });
  afterEach(() => {
    for (const c of connections.splice(0)) c.close();
  });
  afterAll(async () => {
    await emitter?.close();
    await api?.stop();
    await node?.close();
    await db?.drop();
  });

  /** An account with a working order and 10 reports, of which retention has deleted 1-6: its horizon is 7. */
  const accountPastRetention = async () => {
    const id = uniqueId('trader');
    await createAccount(db.sql, id);
    const orderId = await createOrder(db.sql, id);
    const reports = await appendReports(db.sql, id, orderId, 10);
    await ageReports(db.sql, id, [1, 2, 3, 4, 5, 6], { ageMs: 31 * DAY_MS });
    const retention = new ReportRetention({ sql: db.sql, log: pino({ level: 'silent' }), retentionMs: 30 * DAY_MS });
    expect((await retention.runOnce()).deleted).toBeGreaterThanOrEqual(6);
    return { id, orderId, reports, token: await traderToken(id) };
  };

  it('REST answers 410 resume_horizon with oldestSeq below the horizon, and the reports from it', async () => {
    const acc = await accountPastRetention();
    const get = async (sinceSeq: number) => {
      const res = await fetch(`${apiUrl}/v1/execution-reports?sinceSeq=${sinceSeq}`, { headers: { authorization: `Bearer ${acc.token}` } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    for (const sinceSeq of [0, 5]) {
      expect(await get(sinceSeq)).toEqual({
        status: 410,
        body: { error: { code: 'resume_horizon', message: expect.any(String), details: { oldestSeq: 7 } } },
      });
    }
    expect(await get(6)).toEqual({ status: 200, body: { reports: acc.reports.slice(6), lastSeq: 10 } });
  });

  it('a socket resume below the horizon acks resume_horizon and replays nothing; from the horizon, the rest', async () => {
    const acc = await accountPastRetention();
    const socket = await connectRaw(node.url, acc.token);
    try {
      const received: number[] = [];
      socket.on('execution.report', (r) => received.push(r.seq));
      expect(await socket.emitWithAck('resume', { sinceSeq: 0 })).toEqual({ ok: false, error: 'resume_horizon', oldestSeq: 7 });
      expect(await socket.emitWithAck('resume', { sinceSeq: 6 })).toEqual({ ok: true, replayed: 4, lastSeq: 10 });
      expect(received).toEqual([7, 8, 9, 10]);
    } finally {
      socket.close();
    }
  });

  it('the SDK tells the app, hands it the open orders read over REST, then goes on from the horizon without a gap', async () => {
    const acc = await accountPastRetention();
    const events: Array<{ horizon: ReplayHorizonEvent } | { seq: number }> = [];
    const gaps: SeqGap[] = [];
    const conn = connectTrader({
      url: node.url,
      restUrl: apiUrl,
      token: acc.token,
      sinceSeq: 2, // the app has 1-2; 3-6 are gone
      gapGraceMs: 50,
      gapTimeoutMs: 400,
      onReport: (r: ExecutionReport) => events.push({ seq: r.seq }),
      onHorizon: (horizon) => events.push({ horizon }),
      onGap: (g) => gaps.push(g),
    });
    connections.push(conn);
    await waitFor(() => conn.status === 'live' && conn.lastSeq === 10, 10_000, 'live past the horizon');
    const [first, ...rest] = events;
    expect(first).toEqual({
      horizon: {
        oldestSeq: 7,
        missed: { fromSeq: 3, toSeq: 6 },
        orders: [expect.objectContaining({ id: acc.orderId, accountId: acc.id, status: 'working' })],
      },
    });
    expect(rest).toEqual([7, 8, 9, 10].map((seq) => ({ seq })));
    // Live again: the next report arrives as usual.
    const [next] = await appendReports(db.sql, acc.id, acc.orderId, 1);
    emitter.emitter.to(accountRoom(acc.id)).emit('execution.report', next!);
    await waitFor(() => conn.lastSeq === 11, 5_000, 'the next live report');
    expect(gaps).toEqual([]);
  });
});
