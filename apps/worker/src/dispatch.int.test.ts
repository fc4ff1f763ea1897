import { Redis } from 'ioredis';
import { RedisReportBroadcaster } from '@execn/notifications';
import { socketIoAdapterKey } from '@execn/queues';
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

  it('CA-08.01: both traders of a crossing trade receive `filled` on their sockets and by mail', async () => {
    const buyer = await insertAccount(h.db.sql);
    const seller = await insertAccount(h.db.sql);
    const buyOrder = await insertOrder(h.db.sql, { accountId: buyer.id, side: 'buy', quantity: 100 });
    const sellOrder = await insertOrder(h.db.sql, { accountId: seller.id, side: 'sell', quantity: 100 });
    const buyerSocket = await h.sockets.connectTrader(buyer.id);
    // The seller watches its order too: a socket in both rooms must get each report once.
    const sellerSocket = await h.sockets.connectTrader(seller.id, [sellOrder]);
    const outsider = await h.sockets.connectTrader('someone-else');
    await h.startPoller();
    h.startWorker();

    const [buyEvent, sellEvent] = await insertExecutionReports(h.db.sql, [
      { accountId: buyer.id, orderId: buyOrder, side: 'buy', status: 'filled', quantity: 100 },
      { accountId: seller.id, orderId: sellOrder, side: 'sell', status: 'filled', quantity: 100 },
    ]);

    await waitFor(() => buyerSocket.reports.length >= 1 && sellerSocket.reports.length >= 1, 10_000, 'both reports on sockets');
    expect(buyerSocket.reports[0]).toMatchObject({ eventId: buyEvent, status: 'filled', orderId: buyOrder, accountId: buyer.id });
    expect(sellerSocket.reports[0]).toMatchObject({ eventId: sellEvent, status: 'filled', orderId: sellOrder, side: 'sell' });

    const mails = await waitFor(() => (h.sink.mails.length >= 2 ? h.sink.mails : null), 10_000, 'two mails');
    const buyMail = mails.find((m) => m.to.includes(buyer.email))!;
    expect(buyMail.messageId).toBe(`<${buyEvent}.1@exec.test>`);
    expect(buyMail.headers.get('x-execution-event-id')).toBe(buyEvent);
    expect(buyMail.parsed.subject).toBe('BUY 100 AAPL @ 101.25: filled');
    expect(buyMail.parsed.text).toContain('filled');
    expect(buyMail.parsed.html).toContain('<table');
    expect(mails.find((m) => m.to.includes(seller.email))?.parsed.subject).toBe('SELL 100 AAPL @ 101.25: filled');

    await waitFor(async () => (await h.statusCounts()).processed === 2, 10_000, 'both processed');
    const deliveries = await waitFor(async () => {
      const d = await h.deliveries(buyEvent!);
      return d.find((x) => x.channel === 'mail')?.status === 'sent' ? d : null;
    }, 10_000, 'mail delivery sent');
    expect(deliveries).toEqual([
      expect.objectContaining({ channel: 'mail', generation: 1, status: 'sent', attempts: 1, message_id: `<${buyEvent}.1@exec.test>` }),
      expect.objectContaining({ channel: 'websocket', generation: 1, status: 'sent' }),
    ]);
    // Once each, and nothing for other accounts.
    expect(buyerSocket.reports).toHaveLength(1);
    expect(sellerSocket.reports).toHaveLength(1);
    expect(outsider.reports).toHaveLength(0);
    const [row] = await h.db.sql<{ attempts: number; processed_at: string | null }[]>`select attempts, processed_at from outbox_events where id = ${buyEvent!}`;
    expect(row).toMatchObject({ attempts: 1, processed_at: expect.any(String) });
    expect(await h.metricValue('execution_report_dispatch_seconds_count')).toBeGreaterThanOrEqual(2);
  });

  it('CA-08.02: a resting order reports `working` to its trader', async () => {
    const trader = await insertAccount(h.db.sql);
    const order = await insertOrder(h.db.sql, { accountId: trader.id, side: 'sell', type: 'market', quantity: 40 });
    const socket = await h.sockets.connectTrader(trader.id);
    const [eventId] = await insertExecutionReports(h.db.sql, [
      { accountId: trader.id, orderId: order, side: 'sell', type: 'market', quantity: 40, status: 'working' },
    ]);
    await waitFor(() => socket.reports.length === 1, 10_000, 'working report');
    expect(socket.reports[0]).toMatchObject({ eventId, status: 'working', execType: 'new', seq: 1 });
    const mail = await waitFor(() => h.sink.mails.find((m) => m.headers.get('x-execution-event-id') === eventId), 10_000, 'mail');
    expect(mail.parsed.subject).toBe('SELL 40 AAPL @ MKT: working');
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
