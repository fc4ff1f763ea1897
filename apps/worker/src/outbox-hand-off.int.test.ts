import { signToken } from '@execn/auth';
import { TcpProxy, acquireLoadTestLock, insertAccount, startAppProcess, waitFor, type AppProcess } from '@execn/testing';
import { OrderFlow } from './test-support/order-flow';
import { PipelineHarness } from './test-support/pipeline-harness';
import { connectSdkTrader as connect, type SdkTrader as Trader } from './test-support/sdk-trader';

const JWT_SECRET = 'hand-off-secret-0123456789-0123456789-01234';

/**
 * The api adds the outbox jobs of its order transactions itself after each commit (`OUTBOX_DIRECT_ENQUEUE`,
 * `QueueHandOff`). Here Redis becomes unreachable for the api alone (a TCP proxy in front of it, cut) while
 * orders keep flowing: the orders are still accepted, their reports still reach the sockets during the cut
 * (the rows go back to `pending` and the relay, which still reaches Redis, takes them: the lease is far longer
 * than the test, so the reconciliation cannot be what saves them), and once Redis is back for the api it hands
 * off again. Nothing is lost: every committed report on its trader's socket, mailed and processed.
 */
describe('the api hands its outbox jobs to Redis itself', () => {
  // Needs most of the 2 cores: one such test file at a time (see acquireLoadTestLock); released last.
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const h = new PipelineHarness();
  let proxy: TcpProxy;
  const apps: AppProcess[] = [];
  const traders: Trader[] = [];
  const flows: OrderFlow[] = [];

  beforeAll(async () => {
    await h.start();
    const redis = new URL(h.redisUrl);
    proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await proxy.start();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(flows.map((f) => f.stop()));
    for (const t of traders) t.connection.close();
    if (process.env.HAND_OFF_DEBUG) for (const a of apps) process.stderr.write(`--- ${a.name}\n${a.output().slice(-4000)}\n`);
    await Promise.all(apps.map((a) => a.stop()));
    await proxy?.cut();
    await h.close();
  }, 30_000);

  it('while Redis is away for the api, orders are accepted and the relay delivers their reports; then the api hands off again', async () => {
    const env = h.childEnv({
      JWT_SECRET,
      LOG_LEVEL: 'info',
      // Far beyond the test: a row left `enqueued` without a job would stay so; only the release saves it.
      OUTBOX_LEASE_MS: '120000',
      MAIL_ATTEMPTS: '12',
      MAIL_BACKOFF_MS: '200',
      OUTBOX_DIRECT_ENQUEUE: 'true',
    }) as Record<string, string>;
    const [api, ws, poller, worker] = await Promise.all([
      startAppProcess('api', { ...env, API_PORT: '0', REDIS_URL: `redis://127.0.0.1:${proxy.port}` }, /api listening/),
      startAppProcess('ws', { ...env, WS_PORT: '0' }, /ws node listening/),
      startAppProcess('poller', { ...env, METRICS_PORT: '0' }, /metrics and health listening/),
      startAppProcess('worker', { ...env, METRICS_PORT: '0' }, /metrics and health listening/),
    ]);
    apps.push(api!, ws!, poller!, worker!);
    const apiUrl = `http://127.0.0.1:${api!.port}`;
    const wsUrl = `http://127.0.0.1:${ws!.port}`;

    const buyer = await insertAccount(h.db.sql);
    const seller = await insertAccount(h.db.sql);
    await h.db.sql`insert into instruments (symbol, tick_size, lot_size) values ('HOF', '0.01', 1)`;
    const buyerToken = await signToken(JWT_SECRET, { accountId: buyer.id, role: 'trader' }, 3600);
    const sellerToken = await signToken(JWT_SECRET, { accountId: seller.id, role: 'trader' }, 3600);
    traders.push(connect(wsUrl, buyerToken), connect(wsUrl, sellerToken));
    await waitFor(() => traders.every((t) => t.connection.status === 'live'), 10_000, 'traders live');
    const onSocket = (eventId: string) => traders.some((t) => t.reports.has(eventId));

    const flow = new OrderFlow({ apiUrl, buyerToken, sellerToken, symbol: 'HOF', lanes: 4, pauseMs: 20 });
    flows.push(flow);
    flow.start();
    await waitFor(() => flow.results.filter((r) => r.status === 201).length >= 50, 15_000, `50 orders accepted (${flow.summary()})`);
    // Who added each row's job, from its id: `evd-…` the api after its commit, `evb-…` a relay's claim.
    const jobsBy = async (since = new Date(0)) => {
      const [r] = await h.db.sql<{ api: number; relay: number }[]>`
        select count(*) filter (where job_id like 'evd-%')::int as api, count(*) filter (where job_id like 'evb-%')::int as relay
        from outbox_events where created_at >= ${since.toISOString()}::timestamptz`;
      return r!;
    };
    // Before the cut the api hands off every job itself.
    await waitFor(async () => (await jobsBy()).api >= 50, 10_000, 'the api handing off its outbox jobs');
    const beforeCut = await jobsBy();
    expect(beforeCut.relay).toBe(0);

    await proxy.cut();
    const cutAt = Date.now();
    // Orders placed during the cut: accepted, and their reports on the sockets while the api still cannot reach Redis.
    await waitFor(
      () => flow.since(cutAt + 200).filter((r) => r.status === 201).some((r) => r.reports.length > 0 && r.reports.every((rep) => onSocket(rep.eventId))),
      10_000,
      `reports of orders placed during the cut on the sockets (${flow.summary()})`,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + 3_000 - Date.now())));
    const duringCut = flow.since(cutAt);
    await proxy.restore();
    const restoredAt = Date.now();
    // Then the api hands off again (the jobs of rows committed after the restore are its own).
    await waitFor(async () => (await jobsBy(new Date(restoredAt + 1_000))).api >= 20, 20_000, 'the api handing off again after the cut');
    await flow.stop();
    const relayed = (await jobsBy()).relay;
    expect(relayed).toBeGreaterThan(0);

    // Every order answered 201: the order path does not need Redis.
    expect(new Set(flow.results.map((r) => r.status))).toEqual(new Set([201]));
    expect(duringCut.length).toBeGreaterThan(20);
    expect(api!.output()).toContain('outbox jobs not handed to the queue; the relay takes the events');

    // Nothing lost: every committed report on its trader's socket, mailed, processed; seqs gap-free per trader.
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
    }, 30_000, 'every report mailed');
    await waitFor(async () => (await h.statusCounts()).processed === committed.length, 15_000, 'every event processed');
    // A report the api handed off reaches the socket as the row has it (the job carries the api's copy).
    const rows = await h.db.sql<{ id: string; account_id: string; payload: Record<string, unknown> }[]>`
      select id::text, account_id, payload from outbox_events where job_id like 'evd-%' order by id limit 200`;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(traderOf(row.account_id).reports.get(row.id)).toEqual({ ...row.payload, eventId: row.id });
    for (const [i, account] of [buyer.id, seller.id].entries()) {
      const mine = committed.filter((e) => e.account_id === account).length;
      expect([...new Set(traders[i]!.seqs)].sort((a, b) => a - b)).toEqual(Array.from({ length: mine }, (_, k) => k + 1));
    }
    const mails = h.sink.mails.map((m) => m.headers.get('x-execution-event-id') as string);
    process.stdout.write(
      `hand-off: ${committed.length} reports, ${duringCut.length} orders during the ${restoredAt - cutAt} ms cut, ` +
        `${relayed} relayed by the poller, mail duplicates ${mails.length - new Set(mails).size}\n`,
    );
  }, 120_000);
  afterAll(() => releaseLoadTestLock());
});
