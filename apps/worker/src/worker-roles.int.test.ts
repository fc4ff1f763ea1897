import { readdirSync, readFileSync } from 'node:fs';
import { signToken } from '@execn/auth';
import { acquireLoadTestLock, insertAccount, startAppProcess, waitFor, type AppProcess } from '@execn/testing';
import { OrderFlow } from './test-support/order-flow';
import { PipelineHarness } from './test-support/pipeline-harness';
import { connectSdkTrader as connect, type SdkTrader as Trader } from './test-support/sdk-trader';

const JWT_SECRET = 'worker-roles-secret-0123456789-0123456789-0';

/** The nice value of every thread of a process, from /proc/<pid>/task/<tid>/stat (field 19). */
function threadNiceValues(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

/**
 * The stack's worker roles, as `npm start` runs them: one worker on the `outbox` queue, one on the `mail` queue
 * at a lower CPU priority (`WORKER_NICE`), so that on a busy machine the live path gets the cores first. Under a
 * steady flow of crossing orders, every report still reaches its trader's socket and is mailed once, and the
 * mail worker runs every one of its threads at the priority asked for while the outbox worker keeps the default.
 */
describe('an outbox worker and a mail worker at a lower CPU priority', () => {
  // Needs most of the 2 cores: one such test file at a time (see acquireLoadTestLock); released last.
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const h = new PipelineHarness();
  const apps: AppProcess[] = [];
  const traders: Trader[] = [];
  let flow: OrderFlow | undefined;

  beforeAll(async () => {
    await h.start();
  }, 30_000);
  afterAll(async () => {
    await flow?.stop();
    for (const t of traders) t.connection.close();
    await Promise.all(apps.map((a) => a.stop()));
    await h.close();
  }, 30_000);

  it('delivers every report to its socket and its mail, the mail worker at nice 7 on every thread', async () => {
    const env = h.childEnv({ JWT_SECRET, LOG_LEVEL: 'info', OUTBOX_DIRECT_ENQUEUE: 'true' }) as Record<string, string>;
    const ready = /metrics and health listening/;
    const [api, ws, poller, outboxWorker, mailWorker] = await Promise.all([
      startAppProcess('api', { ...env, API_PORT: '0' }, /api listening/),
      startAppProcess('ws', { ...env, WS_PORT: '0' }, /ws node listening/),
      startAppProcess('poller', { ...env, METRICS_PORT: '0' }, ready),
      startAppProcess('worker', { ...env, METRICS_PORT: '0', WORKER_QUEUES: 'outbox' }, ready),
      startAppProcess('worker', { ...env, METRICS_PORT: '0', WORKER_QUEUES: 'mail', WORKER_NICE: '7' }, ready),
    ]);
    apps.push(api!, ws!, poller!, outboxWorker!, mailWorker!);
    expect(mailWorker!.output()).toMatch(/"nice":7,"threads":\d+,"msg":"worker CPU priority lowered"/);
    expect(new Set(threadNiceValues(mailWorker!.child.pid!))).toEqual(new Set([7]));
    expect(threadNiceValues(outboxWorker!.child.pid!)[0]).toBe(0);

    const apiUrl = `http://127.0.0.1:${api!.port}`;
    const buyer = await insertAccount(h.db.sql);
    const seller = await insertAccount(h.db.sql);
    await h.db.sql`insert into instruments (symbol, tick_size, lot_size) values ('NCE', '0.01', 1)`;
    const buyerToken = await signToken(JWT_SECRET, { accountId: buyer.id, role: 'trader' }, 3600);
    const sellerToken = await signToken(JWT_SECRET, { accountId: seller.id, role: 'trader' }, 3600);
    traders.push(connect(`http://127.0.0.1:${ws!.port}`, buyerToken), connect(`http://127.0.0.1:${ws!.port}`, sellerToken));
    await waitFor(() => traders.every((t) => t.connection.status === 'live'), 10_000, 'traders live');

    flow = new OrderFlow({ apiUrl, buyerToken, sellerToken, symbol: 'NCE', lanes: 4, pauseMs: 10 });
    flow.start();
    await waitFor(() => flow!.results.filter((r) => r.status === 201).length >= 200, 30_000, `200 orders accepted (${flow!.summary()})`);
    await flow.stop();
    expect(new Set(flow.results.map((r) => r.status))).toEqual(new Set([201]));

    const committed = await h.db.sql<{ id: string; account_id: string }[]>`
      select id::text, account_id from outbox_events where type = 'execution.report' order by id`;
    expect(committed.length).toBeGreaterThanOrEqual(400);
    const traderOf = (accountId: string) => traders[accountId === buyer.id ? 0 : 1]!;
    await waitFor(() => committed.every((e) => traderOf(e.account_id).reports.has(e.id)), 20_000, 'every report on its socket');
    const mailed = () => h.sink.mails.map((m) => m.headers.get('x-execution-event-id') as string);
    await waitFor(() => {
      const m = new Set(mailed());
      return committed.every((e) => m.has(e.id));
    }, 30_000, 'every report mailed');
    await waitFor(async () => (await h.statusCounts()).processed === committed.length, 15_000, 'every event processed');
    // Each did its own part: the outbox worker marked every event processed and sent no mail; the mail worker
    // sent them all and processed no outbox event.
    const metric = async (proc: AppProcess, line: RegExp) => {
      const text = await (await fetch(`http://127.0.0.1:${proc.port}/metrics`)).text();
      return Number(line.exec(text)?.[1] ?? 0);
    };
    const processedBy = (proc: AppProcess) => metric(proc, /^outbox_events_total\{type="execution\.report",status="processed"\} (\d+)$/m);
    const mailsBy = (proc: AppProcess) => metric(proc, /^mail_sent_total (\d+)$/m);
    expect(await processedBy(outboxWorker!)).toBe(committed.length);
    expect(await mailsBy(outboxWorker!)).toBe(0);
    expect(await processedBy(mailWorker!)).toBe(0);
    expect(await mailsBy(mailWorker!)).toBeGreaterThanOrEqual(committed.length);
    expect(mailed().length - new Set(mailed()).size).toBeLessThanOrEqual(committed.length / 100);
  }, 120_000);
  afterAll(() => releaseLoadTestLock());
});
