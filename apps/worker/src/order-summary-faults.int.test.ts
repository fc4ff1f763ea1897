import {
  acquireLoadTestLock,
  insertAccount,
  insertOrder,
  spawnAppProcess,
  startSteadyReportLoad,
  waitFor,
  type AppProcess,
} from '@execn/testing';
import { PipelineHarness, deletePrefixKeys } from './test-support/pipeline-harness';
import { eventIdsOf, summaryMessageId, traderWithPreference } from './test-support/order-fills';
import { SummaryTraffic } from './test-support/summary-traffic';

/**
 * CONTRACT section 7 under faults: with a steady load of every_report mail flowing (150 reports/s asked; what a
 * loaded machine achieves is printed), 8 order_summary
 * traders fill orders in 5 pieces across transactions while the SMTP server is down for 2.5 s, Redis loses all
 * its data, and a mail worker process is killed (SIGKILL) in the middle of its jobs. Every order's summary
 * arrives once, numbered 1, carrying all its fills; every report mail of the steady load arrives.
 */
describe('order summaries under faults, with a steady load', () => {
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const SHORT_LOCKS = { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
  const h = new PipelineHarness({ MAIL_ATTEMPTS: '20', MAIL_BACKOFF_MS: '200', MAIL_SOCKET_TIMEOUT_MS: '1000', WORKER_CONCURRENCY: '40', ...SHORT_LOCKS });
  let child: AppProcess | undefined;

  beforeAll(async () => {
    h.sink.headersOnly = true;
    await h.start();
  });
  afterAll(async () => {
    await child?.kill();
    await h.close();
    releaseLoadTestLock();
  }, 30_000);

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('SMTP down, Redis wiped, a mail worker killed: every summary arrives once with all its fills, nothing else is lost', async () => {
    // A second mail worker in a process of its own, to kill; it starts while the first faults run.
    child = spawnAppProcess('worker', h.childEnv({ WORKER_QUEUES: 'mail', LOG_LEVEL: 'info', ...SHORT_LOCKS }));
    await h.startPoller();
    h.startWorker();
    const steady = await insertAccount(h.db.sql);
    const traders = await Promise.all(Array.from({ length: 8 }, () => traderWithPreference(h.db.sql, 'order_summary')));
    const load = startSteadyReportLoad(h.db.sql, { accountId: steady.id, orderId: await insertOrder(h.db.sql, { accountId: steady.id }) }, 150);
    const traffic = new SummaryTraffic(h.db.sql, traders.map((t) => t.id), 5);
    let steadyRate = 0;
    try {
      await sleep(1_000);
      const port = h.sink.port;
      await h.sink.stop();
      await sleep(2_500);
      await h.sink.start(port);
      await sleep(1_000);
      await deletePrefixKeys(h.redisUrl, h.prefix);
      await waitFor(() => child!.output().includes('"msg":"worker started"'), 20_000, 'the mail worker process started');
      await sleep(1_500);
      child.child.kill('SIGKILL');
      await child.exited;
      await sleep(1_000);
    } finally {
      await traffic.stop();
      steadyRate = await load.stop();
    }

    const orders = traffic.orders;
    const summaries = () => h.sink.mails.filter((m) => m.messageId?.startsWith('<order-'));
    await waitFor(() => new Set(summaries().map((m) => m.messageId)).size >= orders.length, 40_000, `${orders.length} summaries`).catch((err: Error) => {
      throw new Error(`${err.message}: ${new Set(summaries().map((m) => m.messageId)).size} arrived`);
    });
    const mailed = new Set(h.sink.mails.flatMap(eventIdsOf));
    await waitFor(() => load.ids.every((id) => mailed.has(id)) || (mailed.clear(), h.sink.mails.flatMap(eventIdsOf).forEach((id) => mailed.add(id)), false), 30_000, 'every steady-load report mailed');

    // Each order: one summary, the first of its order, carrying its 5 fills; its new report mailed on its own.
    const byId = new Map<string, typeof h.sink.mails>();
    for (const m of summaries()) byId.set(m.messageId!, [...(byId.get(m.messageId!) ?? []), m]);
    const copies = [...byId.values()].filter((list) => list.length > 1).length;
    for (const o of orders) {
      const copiesOf = byId.get(summaryMessageId(o.orderId));
      expect(copiesOf && eventIdsOf(copiesOf[0]!)).toEqual(o.ids.slice(1));
      expect(byId.has(summaryMessageId(o.orderId, 2))).toBe(false);
      expect(mailed.has(o.ids[0]!)).toBe(true);
    }
    expect(byId.size).toBe(orders.length);
    // Nothing left behind: every carried report coalesced, no mail pending or held. The sink sees a summary
    // before the worker records it, so wait for the last outcomes first.
    const openMails = async () =>
      (await h.db.sql<{ n: number }[]>`select count(*)::int as n from notification_deliveries where channel = 'mail' and status in ('pending', 'held')`)[0]!.n;
    await waitFor(async () => (await openMails()) === 0, 10_000, 'no mail left pending or held').catch(async (err: Error) => {
      throw new Error(`${err.message}: ${await openMails()} still open`);
    });
    const [left] = await h.db.sql<{ coalesced: number }[]>`
      select count(*)::int as coalesced from notification_deliveries where channel = 'mail' and status = 'coalesced'`;
    process.stdout.write(
      `${orders.length} orders summarised under faults (${load.ids.length} steady reports at ${steadyRate.toFixed(0)}/s), summary copies sent twice: ${copies}, ` +
        `deliveries coalesced ${left!.coalesced}\n`,
    );
    expect(left!.coalesced).toBe(orders.length * 5);
    // A copy is only a send whose outcome the killed process took with it (the same Message-ID, which mail clients fold).
    expect(copies).toBeLessThanOrEqual(2);
  }, 90_000);
});
