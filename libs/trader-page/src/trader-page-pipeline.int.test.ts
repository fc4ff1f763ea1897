import type { Browser, Page } from 'playwright-core';
import { signToken } from '@execn/auth';
import { createRestClient } from '@execn/client';
import {
  SmtpSink,
  createTestDatabase,
  startAppProcess,
  uniqueId,
  uniquePrefix,
  type AppProcess,
  type TestDatabase,
} from '@execn/testing';
// The SDK README's example, run here because this file has the whole stack up already (processes take ~20 s to start).
import { traderSession } from '@execn/client/examples/trader-session';
import { assertPageBuilt, launchBrowser, openWatchedTab } from './test-support/browser';

const JWT_SECRET = 'trader-page-pipeline-secret-0123456789abcdef';

/**
 * The whole pipeline, each app a process from its sources: api (orders,
 * matching, and this page at `/`), poller, worker and a ws node, with a real
 * SMTP sink, PostgreSQL and Redis. Two traders cross in two browser contexts;
 * a third runs the SDK README's whole session.
 */
describe('traders on the whole pipeline: the page in headless Chromium, the SDK README session', () => {
  let db: TestDatabase;
  let smtp: SmtpSink;
  let browser: Browser;
  const apps: AppProcess[] = [];
  let pageUrl: string;
  let wsUrl: string;
  const alice = uniqueId('alice');
  const bob = uniqueId('bob');
  const carol = uniqueId('carol');

  beforeAll(async () => {
    assertPageBuilt();
    db = await createTestDatabase({ max: 2 });
    smtp = new SmtpSink();
    await smtp.start(0);
    for (const id of [alice, bob, carol]) await db.sql`insert into accounts (id, email) values (${id}, ${`${id}@example.test`})`;
    await db.sql`insert into instruments (symbol, tick_size, lot_size) values ('AAPL', '0.01', 1)`;
    const env = {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: uniquePrefix('pipeline'),
      JWT_SECRET,
      SMTP_URL: smtp.url,
      POLL_INTERVAL_MS: '50',
    };
    const ws = await startAppProcess('ws', { ...env, WS_PORT: '0' }, /ws node listening/);
    apps.push(ws);
    wsUrl = `http://127.0.0.1:${ws.port}`;
    const started = await Promise.all([
      startAppProcess('api', { ...env, API_PORT: '0', WS_PUBLIC_URLS: `:${ws.port}` }, /"port":\d+.*listening/),
      startAppProcess('poller', env, /poller started/),
      startAppProcess('worker', env, /worker started/),
    ]);
    apps.push(...started);
    pageUrl = `http://127.0.0.1:${started[0].port}/`;
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.stop()));
    await smtp?.stop();
    await db?.drop();
  });

  const openAs = async (accountId: string): Promise<Page> => {
    const tab = await (await browser.newContext()).newPage();
    await tab.goto(pageUrl);
    await tab.fill('[data-testid="token"]', await signToken(JWT_SECRET, { accountId }));
    await tab.click('[data-testid="connect"]');
    await tab.waitForSelector('[data-testid="connection"][data-state="live"]', { timeout: 10_000 });
    return tab;
  };
  const place = async (tab: Page, side: 'buy' | 'sell', clientOrderId: string) => {
    const form = tab.locator('[data-testid="order-form"]');
    await form.locator('[name="symbol"]').fill('AAPL');
    await form.locator('[name="side"]').selectOption(side);
    await form.locator('[name="type"]').selectOption('limit');
    await form.locator('[name="quantity"]').fill('100');
    await form.locator('[name="price"]').fill('100.50');
    await form.locator('[name="timeInForce"]').selectOption('GTC');
    await form.locator('[name="clientOrderId"]').fill(clientOrderId);
    await tab.click('[data-testid="place"]');
  };
  const statusOf = (tab: Page, clientOrderId: string) =>
    tab.locator('[data-testid="blotter"] tr', { hasText: clientOrderId }).locator('[data-field="status"]');

  it('two accounts place crossing orders and both blotters show filled', async () => {
    const [buyer, seller] = await Promise.all([openAs(alice), openAs(bob)]);
    await place(buyer, 'buy', 'ui-buy-1');
    await statusOf(buyer, 'ui-buy-1').filter({ hasText: 'working' }).waitFor({ timeout: 10_000 });
    await place(seller, 'sell', 'ui-sell-1');
    await statusOf(seller, 'ui-sell-1').filter({ hasText: /^filled$/ }).waitFor({ timeout: 15_000 });
    await statusOf(buyer, 'ui-buy-1').filter({ hasText: /^filled$/ }).waitFor({ timeout: 15_000 });
    const buyRow = buyer.locator('[data-testid="blotter"] tr', { hasText: 'ui-buy-1' });
    expect(await buyRow.locator('[data-field="cumQty"]').textContent()).toBe('100');
    expect(await buyRow.locator('[data-field="leavesQty"]').textContent()).toBe('0');
    expect(Number(await buyRow.locator('[data-field="avgPx"]').textContent())).toBe(100.5);
  }, 60_000);

  it('runs the SDK README session: connects, places, receives, reconnects and resumes, every report once and in seq order', async () => {
    const token = await signToken(JWT_SECRET, { accountId: carol });
    const received = await traderSession({ apiUrl: pageUrl.replace(/\/$/, ''), wsUrls: [wsUrl], token, symbol: 'AAPL' });
    expect(received.map((r) => [r.seq, r.execType, r.status])).toEqual([
      [1, 'new', 'working'],
      // Cancelled while the session was offline: only the resume can have brought it.
      [2, 'cancelled', 'cancelled'],
    ]);
    expect(received[1]!.reason).toBe('user_requested');
  }, 30_000);

  it('the api also serves its OpenAPI reference page, rendered in Chromium within its CSP', async () => {
    const { tab, cspRefusals, close } = await openWatchedTab(browser);
    try {
      await tab.goto(`${pageUrl}docs`);
      // One block per operation, rendered from /openapi.json.
      await tab.locator('.opblock', { hasText: '/v1/orders/{id}' }).first().waitFor({ timeout: 15_000 });
      expect(await tab.locator('.opblock').count()).toBeGreaterThanOrEqual(15);
      expect(cspRefusals).toEqual([]);
    } finally {
      await close();
    }
  }, 30_000);

  it('switches the mail preference: saved on the api, shown again on the next visit', async () => {
    const tab = await openAs(bob);
    const select = tab.locator('[data-testid="mail-preference"]');
    await tab.locator('[data-testid="mail-preference"][data-saved="every_report"]:enabled').waitFor({ timeout: 10_000 });
    await select.selectOption('order_summary');
    await tab.locator('[data-testid="mail-preference-status"]', { hasText: /^saved/ }).waitFor({ timeout: 10_000 });
    const api = createRestClient({ baseUrl: pageUrl, token: await signToken(JWT_SECRET, { accountId: bob }) });
    expect(await api.getNotificationPreferences()).toEqual({ mail: 'order_summary' });

    await tab.reload();
    await tab.locator('[data-testid="mail-preference"][data-saved="order_summary"]:enabled').waitFor({ timeout: 10_000 });
    expect(await select.inputValue()).toBe('order_summary');
    await tab.context().close();
  }, 30_000);
});
