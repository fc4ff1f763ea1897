import { signToken } from '@execn/auth';
import { PrivatePostgres, acquireLoadTestLock, insertAccount, startAppProcess, waitFor, type AppProcess } from '@execn/testing';
import { OrderFlow } from './test-support/order-flow';
import { PipelineHarness } from './test-support/pipeline-harness';
import { connectSdkTrader as connect, type SdkTrader as Trader } from './test-support/sdk-trader';

const JWT_SECRET = 'pg-restart-secret-0123456789-0123456789-0123';
/** The longest an order request may take, PostgreSQL down or not. */
const ORDER_DEADLINE_MS = 5_000;
/** Far beyond the test's length: a report delivered promptly after the restart came through LISTEN/NOTIFY. */
const POLL_INTERVAL_MS = 60_000;

/** The status of `GET url`, or `timeout` when it does not answer within 4 s. */
async function statusOf(url: string): Promise<number | 'timeout'> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(4_000) })).status;
  } catch {
    return 'timeout';
  }
}

/** Waits until `GET url` answers `want`; the error names the last answer seen. */
async function waitForStatus(url: string, want: number, timeoutMs: number, why: string): Promise<void> {
  let last: number | 'timeout' | undefined;
  try {
    await waitFor(async () => (last = await statusOf(url)) === want, timeoutMs, `${url} ${want} ${why}`);
  } catch (err) {
    throw new Error(`${(err as Error).message} (last answer: ${last})`);
  }
}

describe('PostgreSQL restarted (fast shutdown, start again) while orders flow', () => {
  // Needs most of the 2 cores: one such test file at a time (see acquireLoadTestLock); released last.
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const h = new PipelineHarness();
  let pg: PrivatePostgres;
  const apps: AppProcess[] = [];
  const traders: Trader[] = [];
  const flows: OrderFlow[] = [];

  beforeAll(async () => {
    // fsync off: a fast shutdown still checkpoints everything; only a machine crash would lose data.
    pg = await PrivatePostgres.start({ settings: ['fsync=off'] });
    await h.start({ databaseServerUrl: pg.url() });
  }, 30_000);
  afterAll(async () => {
    await Promise.all(flows.map((f) => f.stop()));
    for (const t of traders) t.connection.close();
    // A failed test may leave it stopped; the harness drops its database there.
    await pg?.start().catch(() => undefined);
    // PG_RESTART_DEBUG=1 prints the end of each app's log (their LOG_LEVEL is info).
    if (process.env.PG_RESTART_DEBUG) for (const a of apps) process.stderr.write(`--- ${a.name}\n${a.output().slice(-4000)}\n`);
    await Promise.all(apps.map((a) => a.stop()));
    await h.close();
    await pg?.close();
  }, 30_000);

  it('api answers 503 unavailable (never 500, never a hang) while it is away; nothing committed is lost; every process and LISTEN come back', async () => {
    const env = h.childEnv({
      JWT_SECRET,
      LOG_LEVEL: 'info',
      POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
      // No lease expiry (and so no reconciler wake-up) within the test: only NOTIFY wakes the relay.
      OUTBOX_LEASE_MS: '120000',
      // The relay's LISTEN is what this test checks: the api leaves its reports to the relay instead of adding
      // their jobs itself (see outbox-hand-off.int.test.ts for that path).
      OUTBOX_DIRECT_ENQUEUE: 'false',
      MAIL_ATTEMPTS: '12',
      MAIL_BACKOFF_MS: '200',
    }) as Record<string, string>;
    const [api, ws, poller, worker] = await Promise.all([
      startAppProcess('api', { ...env, API_PORT: '0' }, /api listening/),
      startAppProcess('ws', { ...env, WS_PORT: '0' }, /ws node listening/),
      startAppProcess('poller', { ...env, METRICS_PORT: '0' }, /metrics and health listening/),
      startAppProcess('worker', { ...env, METRICS_PORT: '0' }, /metrics and health listening/),
    ]);
    apps.push(api!, ws!, poller!, worker!);
    const apiUrl = `http://127.0.0.1:${api!.port}`;
    const wsUrl = `http://127.0.0.1:${ws!.port}`;
    const readyz = [`${apiUrl}/readyz`, `http://127.0.0.1:${poller!.port}/readyz`, `http://127.0.0.1:${worker!.port}/readyz`];

    const buyer = await insertAccount(h.db.sql);
    const seller = await insertAccount(h.db.sql);
    await h.db.sql`insert into instruments (symbol, tick_size, lot_size) values ('PGR', '0.01', 1)`;
    const buyerToken = await signToken(JWT_SECRET, { accountId: buyer.id, role: 'trader' }, 3600);
    const sellerToken = await signToken(JWT_SECRET, { accountId: seller.id, role: 'trader' }, 3600);
    const tokens = { [buyer.id]: buyerToken, [seller.id]: sellerToken };
    traders.push(connect(wsUrl, buyerToken), connect(wsUrl, sellerToken));
    await waitFor(() => traders.every((t) => t.connection.status === 'live'), 10_000, 'traders live');

    const flow = new OrderFlow({ apiUrl, buyerToken, sellerToken, symbol: 'PGR', hangMs: 15_000 });
    flows.push(flow);
    flow.start();
    await waitFor(() => flow.results.filter((r) => r.status === 201).length >= 20, 15_000, '20 orders accepted before the restart');

    // Down: a fast shutdown, as a failover or a minor-version upgrade does.
    const stoppedAt = Date.now();
    await pg.stop();
    const downAt = Date.now();
    for (const url of readyz) await waitForStatus(url, 503, 10_000, 'while PostgreSQL is away');
    await waitFor(() => flow.since(downAt).filter((r) => r.status !== 201).length >= 10, 10_000, `orders refused while PostgreSQL is away (${flow.summary()})`);
    expect(flow.since(downAt).filter((r) => r.status === 201)).toEqual([]);

    const restartedAt = Date.now();
    await pg.start();
    for (const url of readyz) await waitForStatus(url, 200, 20_000, 'after the restart');
    await waitFor(() => flow.since(restartedAt).some((r) => r.status === 201), 15_000, `an order accepted after the restart (${flow.summary()})`);
    await flow.stop();

    // Answers: 201 or 503 `unavailable` with Retry-After, each within the deadline; never a 500 or a hang.
    const outcomes = flow.results.map((r) => `${r.status} ${r.code ?? ''}`.trim());
    expect(new Set(outcomes)).toEqual(new Set(['201', '503 unavailable']));
    for (const r of flow.results.filter((x) => x.status === 503)) expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...flow.results.map((r) => r.ms))).toBeLessThan(ORDER_DEADLINE_MS);
    expect(flow.results.filter((r) => r.startedAt >= stoppedAt && r.startedAt < restartedAt).length).toBeGreaterThan(0);

    // LISTEN came back: once the relay has relayed after the restart, a new report reaches the socket
    // long before the next poll (60 s), so NOTIFY carried it.
    const probe = async () => {
      const r = await flow.place(buyerToken, { symbol: 'PGR', side: 'buy', type: 'limit', price: '9.00', quantity: 1 });
      expect(r.status).toBe(201);
      const eventId = r.reports[0]!.eventId;
      const placedAt = r.startedAt + r.ms;
      await waitFor(() => traders[0]!.arrivedAt.has(eventId), 15_000, `probe report ${eventId} on the socket`);
      return traders[0]!.arrivedAt.get(eventId)! - placedAt;
    };
    await probe();
    expect(await probe()).toBeLessThan(3_000);

    // No committed report lost: every one (those of the 201s among them) reaches its trader's socket and the mailbox.
    const committed = await h.db.sql<{ id: string; account_id: string }[]>`
      select id::text, account_id from outbox_events where type = 'execution.report' order by id`;
    const committedIds = new Set(committed.map((e) => e.id));
    for (const r of flow.acceptedReports()) expect(committedIds.has(r.eventId)).toBe(true);
    const traderOf = (accountId: string) => traders[accountId === buyer.id ? 0 : 1]!;
    const mailed = () => new Set(h.sink.mails.map((m) => m.headers.get('x-execution-event-id') as string));
    await waitFor(() => committed.every((e) => traderOf(e.account_id).reports.has(e.id)), 20_000, 'every report on its socket');
    await waitFor(() => {
      const m = mailed();
      return committed.every((e) => m.has(e.id));
    }, 20_000, 'every report mailed');
    for (const t of traders) expect(t.seqs).toEqual(t.seqs.map((_, i) => i + 1));
    await waitFor(async () => (await h.statusCounts()).processed === committed.length, 10_000, 'every event processed');

    // The ws node's database is back too: a trader connecting now replays its whole history.
    for (const account of [buyer.id, seller.id]) {
      const late = connect(wsUrl, tokens[account]!);
      traders.push(late);
      const mine = committed.filter((e) => e.account_id === account);
      await waitFor(() => late.reports.size === mine.length, 10_000, `replay of ${account}`);
    }
  }, 90_000);
  afterAll(() => releaseLoadTestLock());
});
