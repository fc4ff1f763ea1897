import { Redis } from 'ioredis';
import { RedisReportBroadcaster } from '@execn/notifications';
import { socketIoAdapterKey } from '@execn/queues';
import { placeOrder } from '@execn/orders';
import { insertAccount, insertExecutionReports, insertOrder, waitFor } from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';

describe('outbox dispatch (poller + worker on real PostgreSQL, Redis, SMTP and Socket.IO)', () => {
  const h = new PipelineHarness();

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  const limit = (side: 'buy' | 'sell', quantity: number, price: string | null, type: 'limit' | 'market' = 'limit') => ({
    symbol: 'AAPL',
    side,
    type,
    quantity,
    price: type === 'market' ? null : price,
    timeInForce: type === 'market' ? ('IOC' as const) : ('GTC' as const),
    clientOrderId: null,
  });

  it('CA-08.01: both traders of a crossing trade receive `filled` on their sockets and by mail', async () => {
    await h.db.sql`insert into instruments (symbol, tick_size) values ('AAPL', '0.01') on conflict do nothing`;
    const buyer = await insertAccount(h.db.sql);
    const seller = await insertAccount(h.db.sql);
    const buyerSocket = await h.sockets.connectTrader(buyer.id);
    const sellerSocket = await h.sockets.connectTrader(seller.id);
    const outsider = await h.sockets.connectTrader('someone-else');
    await h.startPoller();
    h.startWorker();

    // The real order path: matching, outbox rows with per-account seqs, NOTIFY.
    const resting = await placeOrder(h.db.sql, { accountId: seller.id }, limit('sell', 100, '101.25'));
    // The seller now also watches its order: a socket in both rooms must get each report once.
    const sellerWatching = await h.sockets.connectTrader(seller.id, [resting.order.id]);
    const crossing = await placeOrder(h.db.sql, { accountId: buyer.id }, limit('buy', 100, '101.25'));
    const buyFill = crossing.reports.find((r) => r.execType === 'trade')!;
    expect(buyFill.status).toBe('filled');

    const filledOf = (t: { reports: Array<{ status: string; execType: string }> }) => t.reports.find((r) => r.execType === 'trade');
    await waitFor(() => filledOf(buyerSocket) && filledOf(sellerSocket) && filledOf(sellerWatching), 10_000, 'fills on sockets');
    expect(filledOf(buyerSocket)).toMatchObject({ eventId: buyFill.eventId, status: 'filled', orderId: crossing.order.id, accountId: buyer.id, lastQty: 100, lastPx: '101.25' });
    const sellFill = sellerSocket.reports.find((r) => r.execType === 'trade')!;
    expect(sellFill).toMatchObject({ status: 'filled', orderId: resting.order.id, side: 'sell', tradeId: buyFill.tradeId });

    const mailOf = (eventId: string) => h.sink.mails.find((m) => m.headers.get('x-execution-event-id') === eventId);
    const buyMail = await waitFor(() => mailOf(buyFill.eventId), 10_000, 'buyer fill mail');
    const sellMail = await waitFor(() => mailOf(sellFill.eventId), 10_000, 'seller fill mail');
    expect(buyMail.to).toEqual([buyer.email]);
    expect(buyMail.messageId).toBe(`<${buyFill.eventId}.1@exec.test>`);
    expect(buyMail.parsed.subject).toBe('BUY 100 AAPL @ 101.25: filled');
    expect(buyMail.parsed.text).toContain('filled');
    expect(buyMail.parsed.html).toContain('<table');
    expect(sellMail.to).toEqual([seller.email]);
    expect(sellMail.parsed.subject).toBe('SELL 100 AAPL @ 101.25: filled');

    const deliveries = await waitFor(async () => {
      const d = await h.deliveries(buyFill.eventId);
      return d.find((x) => x.channel === 'mail')?.status === 'sent' ? d : null;
    }, 10_000, 'mail delivery sent');
    expect(deliveries).toEqual([
      expect.objectContaining({ channel: 'mail', generation: 1, status: 'sent', attempts: 1, message_id: `<${buyFill.eventId}.1@exec.test>` }),
      expect.objectContaining({ channel: 'websocket', generation: 1, status: 'sent' }),
    ]);
    // Every report of both traders once (in any order: concurrent dispatch; clients order by seq), none for others.
    await waitFor(async () => (await h.statusCounts()).processed === 4, 10_000, 'all four reports processed');
    await waitFor(() => buyerSocket.reports.length === 2 && sellerSocket.reports.length === 2, 10_000, 'both reports each');
    expect(buyerSocket.reports.map((r) => r.seq).sort()).toEqual([1, 2]);
    expect(sellerSocket.reports.map((r) => r.seq).sort()).toEqual([1, 2]);
    // In both its account room and its order room, it got the fill once.
    expect(sellerWatching.reports.filter((r) => r.seq === 2)).toHaveLength(1);
    expect(outsider.reports).toHaveLength(0);
    const [row] = await h.db.sql<{ attempts: number; processed_at: string | null }[]>`select attempts, processed_at from outbox_events where id = ${buyFill.eventId}`;
    expect(row).toMatchObject({ attempts: 1, processed_at: expect.any(String) });
    expect(await h.metricValue('execution_report_dispatch_seconds_count')).toBeGreaterThanOrEqual(4);
  });

  it('CA-08.02: an order without a counterpart reports `working` to its trader', async () => {
    const trader = await insertAccount(h.db.sql);
    const socket = await h.sockets.connectTrader(trader.id);
    const placed = await placeOrder(h.db.sql, { accountId: trader.id }, limit('sell', 40, '250.00'));
    const [report] = placed.reports;
    expect(report).toMatchObject({ status: 'working', execType: 'new' });
    await waitFor(() => socket.reports.length === 1, 10_000, 'working report');
    expect(socket.reports[0]).toMatchObject({ eventId: report!.eventId, status: 'working', execType: 'new', seq: 1 });
    const mail = await waitFor(() => h.sink.mails.find((m) => m.headers.get('x-execution-event-id') === report!.eventId), 10_000, 'mail');
    expect(mail.parsed.subject).toBe('SELL 40 AAPL @ 250: working');
  });

  it('a raw socket (no SDK to drop duplicates) gets each report exactly once, and each is mailed once, with two workers', async () => {
    await h.stopProcesses();
    await h.startPoller();
    h.startWorker();
    h.startWorker();
    const trader = await insertAccount(h.db.sql);
    const orderId = await insertOrder(h.db.sql, { accountId: trader.id });
    const socket = await h.sockets.connectTrader(trader.id);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(...(await insertExecutionReports(h.db.sql, Array.from({ length: 20 }, () => ({ accountId: trader.id, orderId })))));
    const mailsOf = () => h.sink.mails.filter((m) => ids.includes(m.headers.get('x-execution-event-id') as string));
    await waitFor(() => new Set(socket.reports.map((r) => r.eventId)).size === ids.length && new Set(mailsOf().map((m) => m.messageId)).size === ids.length, 20_000, 'every report on the socket and mailed');
    await waitFor(async () => (await h.db.sql`select 1 from outbox_events where id = any(${ids}::bigint[]) and status <> 'processed'`).length === 0, 10_000, 'every event processed');
    await new Promise((r) => setTimeout(r, 300)); // room for a late duplicate
    expect(socket.reports.length).toBe(ids.length);
    expect(socket.reports.map((r) => r.seq).sort((a, b) => a - b)).toEqual(ids.map((_, i) => i + 1));
    expect(mailsOf().length).toBe(ids.length);
  });

  it('an event whose order is gone is still processed and mailed', async () => {
    const trader = await insertAccount(h.db.sql);
    const socket = await h.sockets.connectTrader(trader.id);
    const [eventId] = await insertExecutionReports(h.db.sql, [
      { accountId: trader.id, orderId: '00000000-0000-4000-8000-000000000000', status: 'cancelled' },
    ]);
    await waitFor(() => h.sink.mails.find((m) => m.headers.get('x-execution-event-id') === eventId), 10_000, 'mail');
    expect(socket.reports.map((r) => r.eventId)).toEqual([eventId]);
    const [row] = await h.db.sql`select status from outbox_events where id = ${eventId!}`;
    expect(row!.status).toBe('processed');
  });
});

describe('CA-08.03: a broadcast that throws', () => {
  const h = new PipelineHarness();
  let deadRedis: Redis;

  beforeAll(async () => {
    await h.start();
    // A real emitter whose Redis connection is closed: every broadcast is refused.
    deadRedis = new Redis(h.redisUrl, { enableOfflineQueue: false, lazyConnect: true });
    await deadRedis.connect();
    deadRedis.disconnect();
  });
  afterAll(async () => {
    await h.close();
  });

  it('still sends the mail, marks the event processed, records the websocket delivery failed and counts it', async () => {
    const trader = await insertAccount(h.db.sql);
    const order = await insertOrder(h.db.sql, { accountId: trader.id });
    await h.startPoller();
    h.startWorker({}, { broadcaster: new RedisReportBroadcaster(deadRedis, socketIoAdapterKey(h.prefix)) });
    const [eventId] = await insertExecutionReports(h.db.sql, [{ accountId: trader.id, orderId: order, status: 'filled' }]);

    const mail = await waitFor(() => h.sink.mails.find((m) => m.headers.get('x-execution-event-id') === eventId), 10_000, 'mail');
    expect(mail.to).toEqual([trader.email]);
    await waitFor(async () => (await h.statusCounts()).processed === 1, 10_000, 'processed');
    const ws = (await h.deliveries(eventId!)).find((d) => d.channel === 'websocket');
    expect(ws).toMatchObject({ status: 'failed', last_error: expect.stringContaining('socket.io emitter redis connection is end') });
    expect(await h.metricValue('notification_errors_total', { channel: 'websocket' })).toBe(1);
  });
});
