import { requeueEvent } from '@execn/outbox';
import { QUEUE_NAMES } from '@execn/queues';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { insertExecutionReports, insertOrder, waitFor, type SinkMail } from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';
import { eventIdsOf, fillOrder, fillReports, summaryMessageId, traderWithPreference } from './test-support/order-fills';

/**
 * CONTRACT section 7, per mail preference, on the real pipeline (poller, workers, SMTP sink, a Socket.IO node):
 * what a trader receives for an order filled in 10 pieces, in one transaction and across many.
 */
describe('mail preferences and order summaries', () => {
  const h = new PipelineHarness();
  let redis: Redis;
  let mailQueue: Queue;

  beforeAll(async () => {
    await h.start();
    await h.startPoller();
    h.startWorker();
    redis = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
    mailQueue = new Queue(QUEUE_NAMES.mail, { connection: redis, prefix: h.prefix });
  });
  afterAll(async () => {
    await mailQueue.close();
    redis.disconnect();
    await h.close();
  });

  const mailsTo = (email: string) => h.sink.mails.filter((m) => m.to.includes(email));
  const mailDeliveries = (ids: string[]) =>
    h.db.sql<{ event_id: string; generation: number; status: string; message_id: string | null }[]>`
      select event_id::text, generation, status, message_id from notification_deliveries
      where channel = 'mail' and event_id = any(${ids}::bigint[]) order by event_id, generation`;
  const processed = (ids: string[]) =>
    waitFor(async () => {
      const [r] = await h.db.sql<{ n: number }[]>`select count(*)::int as n from outbox_events where id = any(${ids}::bigint[]) and status = 'processed'`;
      return r!.n === ids.length;
    }, 15_000, `${ids.length} events processed`);
  const describeMails = (mails: SinkMail[]) => mails.map((m) => `${m.messageId} "${m.parsed.subject}"`);

  it.each([
    ['across 11 transactions', false],
    ['in one transaction', true],
  ])('an order filled in 10 pieces %s: every_report 11 mails, order_summary 2, none 0; the socket gets 11 reports each', async (_name, oneTransaction) => {
    const result: Record<string, string[]> = {};
    for (const mail of ['every_report', 'order_summary', 'none'] as const) {
      const account = await traderWithPreference(h.db.sql, mail);
      const socket = await h.sockets.connectTrader(account.id);
      const { orderId, ids } = await fillOrder(h.db.sql, account.id, 10, { oneTransaction });
      await processed(ids);
      await waitFor(() => socket.reports.length === 11, 10_000, 'the 11 reports on the socket');
      expect(socket.reports.map((r) => r.eventId)).toEqual(expect.arrayContaining(ids));

      if (mail === 'every_report') {
        await waitFor(() => mailsTo(account.email).length === 11, 10_000, '11 report mails');
        expect(mailsTo(account.email).map((m) => m.messageId).sort()).toEqual(ids.map((id) => `<${id}.1@exec.test>`).sort());
      } else if (mail === 'order_summary') {
        await waitFor(() => mailsTo(account.email).length === 2, 10_000, 'the new report mail and one summary');
        const [newMail, summary] = [...mailsTo(account.email)].sort((a, b) => (a.messageId!.startsWith('<order-') ? 1 : b.messageId!.startsWith('<order-') ? -1 : 0));
        expect(newMail!.messageId).toBe(`<${ids[0]}.1@exec.test>`);
        expect(summary!.messageId).toBe(summaryMessageId(orderId));
        expect(eventIdsOf(summary!)).toEqual(ids.slice(1));
        expect(summary!.parsed.subject).toBe('Order summary: BUY 100 AAPL @ 101.25: filled, 10 fills, avg 101.25');
        // Every fill: time, quantity, price, tradeId; then the final state.
        const text = summary!.parsed.text!;
        for (const r of socket.reports.filter((x) => x.execType === 'trade')) {
          expect(text).toMatch(new RegExp(`^${r.transactTime} +10 +${r.lastPx!.replace('.', '\\.')} +${r.tradeId}$`, 'm'));
          expect(summary!.parsed.html).toContain(r.tradeId!);
        }
        expect(text).toMatch(/Status\s+filled/);
        expect(text).toMatch(/Filled\s+100 of 100/);
        expect(text).toMatch(/Average price\s+101.25/);
        const deliveries = await waitFor(async () => {
          const d = await mailDeliveries(ids.slice(1));
          return d.every((x) => x.status === 'coalesced') ? d : null;
        }, 5_000, 'the carried reports coalesced');
        expect(new Set(deliveries.map((d) => d.message_id))).toEqual(new Set([summaryMessageId(orderId)]));
        expect((await mailDeliveries([ids[0]!]))[0]).toMatchObject({ status: 'sent', message_id: `<${ids[0]}.1@exec.test>` });
      } else {
        await waitFor(async () => (await mailDeliveries(ids)).filter((d) => d.status === 'skipped').length === 11, 5_000, '11 skipped');
        await new Promise((r) => setTimeout(r, 300));
        expect(mailsTo(account.email)).toHaveLength(0);
      }
      result[mail] = describeMails(mailsTo(account.email));
      socket.socket.disconnect();
    }
    process.stdout.write(`10 pieces ${_name}: ${JSON.stringify(result, null, 1)}\n`);
  });

  it('order_summary: a cancelled order is summarised with its fills, a rejected one mailed alone, a requeued report mailed on its own', async () => {
    const account = await traderWithPreference(h.db.sql, 'order_summary');
    const { orderId, ids } = await fillOrder(h.db.sql, account.id, 3, { final: 'cancelled' });
    const rejectedOrder = await insertOrder(h.db.sql, { accountId: account.id });
    const [rejected] = (await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId: rejectedOrder, execType: 'rejected', status: 'rejected' }])) as [string];
    await waitFor(() => mailsTo(account.email).length === 3, 10_000, 'new, summary and rejected mails');
    const summary = mailsTo(account.email).find((m) => m.messageId === summaryMessageId(orderId))!;
    expect(eventIdsOf(summary)).toEqual(ids.slice(1));
    expect(summary.parsed.subject).toBe('Order summary: BUY 40 AAPL @ 101.25: cancelled, 3 fills, avg 101.25');
    expect(mailsTo(account.email).map((m) => m.messageId)).toContain(`<${rejected}.1@exec.test>`);

    // An admin requeues one coalesced fill: it is mailed on its own, with its own Message-ID.
    await waitFor(async () => (await mailDeliveries([ids[2]!]))[0]?.status === 'coalesced', 5_000, 'coalesced');
    await requeueEvent(h.db.sql, ids[2]!);
    await waitFor(() => mailsTo(account.email).some((m) => m.messageId === `<${ids[2]}.2@exec.test>`), 10_000, 'the requeued fill mailed alone');
    expect(mailsTo(account.email).filter((m) => m.messageId?.startsWith('<order-'))).toHaveLength(1);
  });

  it('a GTC order still working at the daily cutoff: its fills so far in summary 1, the rest in summary 2 when it fills', async () => {
    const account = await traderWithPreference(h.db.sql, 'order_summary');
    const orderId = await insertOrder(h.db.sql, { accountId: account.id, quantity: 50 });
    const reports = fillReports(account.id, orderId, 5);
    const today = await insertExecutionReports(h.db.sql, reports.slice(0, 3)); // new + 2 fills
    await processed(today);
    // The poller's reconciliation at a cutoff after those commits (its clock moved a day on).
    const reconciler = h.reconciler(redis, { mailQueue, leaseMs: 60_000, summaryDailyAt: '00:00', now: () => new Date(Date.now() + 86_400_000) });
    expect((await reconciler.reconcileOnce()).summariesDue).toBe(1);
    await waitFor(() => mailsTo(account.email).some((m) => m.messageId === summaryMessageId(orderId, 1)), 10_000, 'the daily summary');
    const daily = mailsTo(account.email).find((m) => m.messageId === summaryMessageId(orderId, 1))!;
    expect(eventIdsOf(daily)).toEqual(today.slice(1));
    expect(daily.parsed.subject).toBe('Order summary: BUY 50 AAPL @ 101.25: partially_filled, 2 fills so far, avg 101.25');
    expect((await reconciler.reconcileOnce()).summariesDue).toBe(0);

    const tomorrow = await insertExecutionReports(h.db.sql, reports.slice(3)); // the 3rd to 5th fills, filled
    await waitFor(() => mailsTo(account.email).some((m) => m.messageId === summaryMessageId(orderId, 2)), 10_000, 'the final summary');
    expect(eventIdsOf(mailsTo(account.email).find((m) => m.messageId === summaryMessageId(orderId, 2))!)).toEqual(tomorrow);
    expect(mailsTo(account.email)).toHaveLength(3);
  });
});
