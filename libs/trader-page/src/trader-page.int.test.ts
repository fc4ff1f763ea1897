import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Emitter } from '@socket.io/redis-emitter';
import express from 'express';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { signToken } from '@execn/auth';
import { accountRoom, type ExecutionReport, type ServerToClientEvents, type StoredExecutionReport } from '@execn/contracts';
import { createRedisClient, socketIoAdapterKey } from '@execn/queues';
import { createTestDatabase, startAppProcess, uniqueId, uniquePrefix, type AppProcess, type TestDatabase } from '@execn/testing';
import { createTraderPageRouter } from './index';
import { assertPageBuilt, launchBrowser, openWatchedTab } from './test-support/browser';

const JWT_SECRET = 'trader-page-test-secret-0123456789abcdef0123';
const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The page in real headless Chromium against a real ws node (child process)
 * and Redis: it connects with a dev token, builds its blotter from the report
 * history (resume from PostgreSQL) and updates it from live broadcasts.
 */
describe('trader page in headless Chromium', () => {
  let db: TestDatabase;
  let prefix: string;
  let ws: AppProcess;
  let page: http.Server;
  let pageUrl: string;
  let browser: Browser;
  let emitterRedis: ReturnType<typeof createRedisClient>;
  let emitter: Emitter<ServerToClientEvents>;
  const alice = uniqueId('alice');
  let aliceToken: string;

  /** One report of an order, written to the log as `@execn/orders` does (next seq + outbox row). */
  const writeReport = async (orderId: string, fields: Partial<StoredExecutionReport>): Promise<ExecutionReport> =>
    db.sql.begin(async (tx) => {
      const [acc] = await tx<{ seq: string }[]>`
        update accounts set report_seq = report_seq + 1 where id = ${alice} returning report_seq::text as seq`;
      const payload: StoredExecutionReport = {
        seq: Number(acc!.seq), execId: randomUUID(), execType: 'new', status: 'working', orderId, clientOrderId: 'ui-1',
        accountId: alice, symbol: 'AAPL', side: 'buy', type: 'limit', timeInForce: 'GTC', price: '101.25', quantity: 100,
        lastQty: null, lastPx: null, tradeId: null, cumQty: 0, leavesQty: 100, avgPx: null, reason: null,
        transactTime: new Date().toISOString(), ...fields,
      };
      const [row] = await tx<{ id: string }[]>`
        insert into outbox_events (type, order_id, account_id, seq, payload)
        values ('execution.report', ${orderId}, ${alice}, ${payload.seq}, (${JSON.stringify(payload)}::text)::jsonb)
        returning id::text as id`;
      return { ...payload, eventId: row!.id };
    }) as Promise<ExecutionReport>;

  beforeAll(async () => {
    assertPageBuilt();
    db = await createTestDatabase({ max: 2 });
    prefix = uniquePrefix('page');
    await db.sql`insert into accounts (id, email) values (${alice}, ${`${alice}@example.test`})`;
    aliceToken = await signToken(JWT_SECRET, { accountId: alice });
    ws = await startAppProcess(
      'ws',
      { DATABASE_URL: db.url, REDIS_URL, QUEUE_PREFIX: prefix, JWT_SECRET, WS_PORT: '0' },
      /ws node listening/,
    );
    const app = express();
    app.use(
      createTraderPageRouter({
        wsUrls: [`:${ws.port}`],
        devTokens: [{ label: alice, token: aliceToken }],
      }),
    );
    page = app.listen(0, '127.0.0.1');
    await new Promise((r) => page.once('listening', r));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    emitterRedis = createRedisClient({ mode: 'standalone', url: REDIS_URL }, pino({ level: 'silent' }), 'page-test-emitter');
    emitter = new Emitter<ServerToClientEvents>(emitterRedis, { key: socketIoAdapterKey(prefix) });
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await emitterRedis?.quit();
    await new Promise((r) => (page ? page.close(r) : r(undefined)));
    await ws?.stop();
    await db?.drop();
  });

  it('serves its config and the bundled script', async () => {
    const config = await (await fetch(`${pageUrl}page-config.json`)).json();
    expect(config).toEqual({ wsUrls: [`:${ws.port}`], devTokens: [{ label: alice, token: aliceToken }] });
    const script = await fetch(`${pageUrl}page.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });

  it('connects with a dev token, shows the order history, then updates the blotter live', async () => {
    const orderId = randomUUID();
    await db.sql`
      insert into orders (id, account_id, symbol, side, type, time_in_force, price, quantity, leaves_qty, status)
      values (${orderId}, ${alice}, 'AAPL', 'buy', 'limit', 'GTC', '101.25', 100, 100, 'working')`;
    await writeReport(orderId, {});
    await writeReport(orderId, {
      execType: 'trade', status: 'partially_filled', lastQty: 40, lastPx: '101.25', tradeId: randomUUID(),
      cumQty: 40, leavesQty: 60, avgPx: '101.25',
    });

    const { tab, cspRefusals, close } = await openWatchedTab(browser);
    try {
      const response = await tab.goto(pageUrl);
      expect(response?.headers()['content-security-policy']).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+ ws:\/\/127\.0\.0\.1:\d+/);
      await tab.selectOption('[data-testid="dev-token"]', { label: alice });
      await tab.waitForSelector('[data-testid="connection"][data-state="live"]', { timeout: 10_000 });
      const row = tab.locator(`tr[data-order-id="${orderId}"]`);
      await row.locator('[data-field="status"]', { hasText: 'partially_filled' }).waitFor({ timeout: 10_000 });
      expect(await row.locator('[data-field="cumQty"]').textContent()).toBe('40');
      expect(await row.locator('[data-field="leavesQty"]').textContent()).toBe('60');
      expect(await tab.locator('[data-testid="account"]').textContent()).toBe(`account ${alice}`);

      const fill = await writeReport(orderId, {
        execType: 'trade', status: 'filled', lastQty: 60, lastPx: '101.3', tradeId: randomUUID(),
        cumQty: 100, leavesQty: 0, avgPx: '101.28',
      });
      emitter.to(accountRoom(alice)).emit('execution.report', fill);
      await row.locator('[data-field="status"]', { hasText: 'filled' }).waitFor({ timeout: 10_000 });
      const fillItem = tab.locator(`[data-testid="feed"] li[data-seq="${fill.seq}"]`);
      await fillItem.filter({ hasText: `#${fill.seq} trade filled` }).waitFor({ timeout: 5_000 });
      expect(await row.locator('[data-field="avgPx"]').textContent()).toBe('101.28');
      expect(await row.locator('[data-field="leavesQty"]').textContent()).toBe('0');
      expect(await row.locator('[data-testid="cancel"]').count()).toBe(0);

      // Each report shows when it was executed (the browser's local time of transactTime) and how long it took to
      // arrive: a live one its delay, the history replayed on connect says so.
      const localTime = (iso: string) => tab.evaluate((t) => {
        const d = new Date(t);
        const p = (n: number, w = 2) => String(n).padStart(w, '0');
        return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
      }, iso);
      expect(await fillItem.locator('[data-field="transactTime"]').textContent()).toBe(await localTime(fill.transactTime));
      expect(await fillItem.locator('[data-field="delay"]').textContent()).toMatch(/^\+\d+ ms$/);
      const historyItem = tab.locator('[data-testid="feed"] li[data-seq="1"]');
      expect(await historyItem.locator('[data-field="delay"]').textContent()).toBe('history');
      // A toast for the fill (live news), none for the history; the last seq in the header.
      await tab.locator('[data-testid="toast"]', { hasText: /Filled buy 100 AAPL at 101\.28 \(ui-1\)/ }).waitFor({ timeout: 5_000 });
      expect(await tab.locator('[data-testid="last-seq"]').textContent()).toBe(`last seq ${fill.seq}`);
      expect(await tab.locator('[data-testid="resume-note"]').isHidden()).toBe(true);

      // Missed while away: two reports written but never broadcast, then the node drops the socket. The SDK
      // reconnects and resumes; the page says so, with how many reports the resume replayed.
      const order2 = randomUUID();
      await db.sql`
        insert into orders (id, account_id, symbol, side, type, time_in_force, price, quantity, leaves_qty, status)
        values (${order2}, ${alice}, 'AAPL', 'sell', 'limit', 'GTC', '101.30', 10, 10, 'working')`;
      const missed = [
        await writeReport(order2, { clientOrderId: 'ui-2', side: 'sell', price: '101.30', quantity: 10, leavesQty: 10 }),
        await writeReport(order2, {
          clientOrderId: 'ui-2', side: 'sell', price: '101.30', quantity: 10, execType: 'trade', status: 'filled',
          lastQty: 10, lastPx: '101.30', tradeId: randomUUID(), cumQty: 10, leavesQty: 0, avgPx: '101.3',
        }),
      ];
      emitter.in(accountRoom(alice)).disconnectSockets(true);
      const note = tab.locator('[data-testid="resume-note"]');
      await note.filter({ hasText: `2 reports replayed (seq ${missed[0]!.seq}-${missed[1]!.seq})` }).waitFor({ timeout: 10_000 });
      expect(await note.getAttribute('data-replayed')).toBe('2');
      await tab.waitForSelector('[data-testid="connection"][data-state="live"]', { timeout: 10_000 });
      expect(await tab.locator('[data-testid="feed"] li[data-arrival="replayed"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.seq)))
        .toEqual([String(missed[1]!.seq), String(missed[0]!.seq)]);
      expect(await tab.locator('[data-testid="last-seq"]').textContent()).toBe(`last seq ${missed[1]!.seq}`);
      // A fill missed while away is news too.
      await tab.locator('[data-testid="toast"]', { hasText: '(ui-2)' }).waitFor({ timeout: 5_000 });
      await tab.locator(`tr[data-order-id="${order2}"] [data-field="status"]`, { hasText: 'filled' }).waitFor({ timeout: 5_000 });
      if (process.env.TRADER_PAGE_SCREENSHOT) await tab.screenshot({ path: process.env.TRADER_PAGE_SCREENSHOT, fullPage: true });
      expect(cspRefusals).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});
