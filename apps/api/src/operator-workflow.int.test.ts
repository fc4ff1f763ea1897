import { loadConfig } from '@execn/config';
import { createLogger, createPollerMetrics } from '@execn/observability';
import { startOutboxPoller, type OutboxPoller } from '@execn/outbox';
import { SmtpSink, SocketTestServer, insertAccount, insertExecutionReports, insertOrder, mailJobIdOf, startAppProcess, waitFor, type AppProcess } from '@execn/testing';
import { chromium, type Browser } from 'playwright-core';
import { deletePrefixKeys, REDIS_URL, startOperatorHarness, type OperatorHarness } from './test-support/operator-harness';

/**
 * The operator's repair loop on the real pipeline: an event is dispatched
 * (socket + mail), an admin requeues it over REST, the relay (in-process) and
 * a worker (child process) send it again as a new generation; then a mail
 * fails for real (SMTP 550) and Bull Board, in headless Chromium, shows it.
 */
const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
const sink = new SmtpSink();
let h: OperatorHarness;
let hub: SocketTestServer;
let poller: OutboxPoller;
let worker: AppProcess;
let admin: string;
/** The event whose mail bounced in the Bull Board test, resent in the last one. */
let bouncedId: string | undefined;

beforeAll(async () => {
  h = await startOperatorHarness({ bullBoard: { user: USER, password: PASSWORD } });
  await sink.start();
  hub = new SocketTestServer(REDIS_URL, h.prefix);
  await hub.listen();
  const env = {
    DATABASE_URL: h.db.url,
    REDIS_URL,
    QUEUE_PREFIX: h.prefix,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Executions <executions@exec.test>',
    POLL_INTERVAL_MS: '50',
    OUTBOX_LEASE_MS: '2000',
    MAIL_ATTEMPTS: '3',
    MAIL_BACKOFF_MS: '100',
    MAIL_SOCKET_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'silent',
  };
  const config = loadConfig(env);
  poller = await startOutboxPoller(config, createLogger({ name: 'poller', level: 'silent' }), createPollerMetrics({ defaultMetrics: false }));
  worker = await startAppProcess('worker', { ...env, LOG_LEVEL: 'info' }, /worker started/);
  admin = await h.token('ops-admin', 'admin');
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await poller?.close();
  await hub?.close();
  await sink.stop();
  await h?.close();
  if (h) await deletePrefixKeys(h.prefix);
});

const eventOf = async (id: string) => (await h.call('GET', `/admin/outbox/${id}`, { token: admin })).body;

it('requeue sends a processed event again: generation + 1, a second mail with the new Message-ID, the socket gets it again', async () => {
  const account = await insertAccount(h.db.sql);
  const orderId = await insertOrder(h.db.sql, { accountId: account.id });
  const { reports: received } = await hub.connectTrader(account.id);
  const [id] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);

  await waitFor(async () => (await eventOf(id!)).event.status === 'processed', 20_000, 'the first dispatch');
  await waitFor(() => sink.mails.some((m) => m.messageId?.startsWith(`<${id}.1@`)), 10_000, 'the first mail');
  await waitFor(() => received.length === 1, 5_000, 'the first socket report');

  const res = await h.call('POST', `/admin/outbox/${id}/requeue`, { token: admin });
  expect(res.status).toBe(202);
  expect(res.body.event).toMatchObject({ id, generation: 2, status: 'pending' });

  const mail = await waitFor(() => sink.mails.find((m) => m.messageId?.startsWith(`<${id}.2@`)), 20_000, 'the second mail');
  expect(mail.to).toEqual([account.email]);
  expect(mail.headers.get('x-execution-event-id')).toBe(id);
  await waitFor(() => received.length === 2, 5_000, 'the socket to receive the event again');
  expect(received.map((r) => r.eventId)).toEqual([id, id]);
  expect(received[1]).toEqual(received[0]);

  const after = await waitFor(async () => {
    const e = await eventOf(id!);
    return e.event.status === 'processed' && e.deliveries.filter((d: { status: string }) => d.status === 'sent').length === 4 ? e : null;
  }, 10_000, 'generation 2 processed with both deliveries sent');
  expect(after.event).toMatchObject({ generation: 2, attempts: 1, lastError: null });
  expect(after.deliveries.map((d: { channel: string; generation: number; messageId: string | null }) => [d.channel, d.generation, d.messageId?.split('@')[0] ?? null])).toEqual([
    ['websocket', 1, null],
    ['mail', 1, `<${id}.1`],
    ['websocket', 2, null],
    ['mail', 2, `<${id}.2`],
  ]);
  expect(sink.mails.filter((m) => m.headers.get('x-execution-event-id') === id)).toHaveLength(2);

  const audit = await h.call('GET', '/admin/audit?limit=1', { token: admin });
  expect(audit.body.entries[0]).toMatchObject({ actor: 'ops-admin', action: 'outbox_event.requeue', target: `outbox_event:${id}` });
});

describe('Bull Board in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['without credentials', undefined],
    ['with a wrong password', { username: USER, password: 'guess' }],
  ])('refuses a browser %s: a Basic challenge, and no dashboard', async (_label, httpCredentials) => {
    const context = await browser.newContext(httpCredentials ? { httpCredentials } : {});
    try {
      const page = await context.newPage();
      const challenges: Array<string | null> = [];
      const served: string[] = [];
      page.on('response', (r) => {
        if (r.status() === 401) challenges.push(r.headers()['www-authenticate'] ?? null);
        else served.push(`${r.status()} ${r.url()}`);
      });
      // Headless Chromium cannot show the login prompt: depending on timing it cancels the challenge
      // (the navigation fails with ERR_INVALID_AUTH_CREDENTIALS) or renders the 401 body.
      const response = await page.goto(`${h.url}/admin/queues`).catch((err: Error) => {
        expect(err.message).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/);
        return null;
      });
      if (response) expect(response.status()).toBe(401);
      expect(challenges.length).toBeGreaterThanOrEqual(1);
      expect(challenges[0]).toBe('Basic realm="Bull Board", charset="UTF-8"');
      // Nothing of the dashboard (page, scripts, queue API) was served.
      expect(served).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists both queues and shows a mail that failed for real, with its SMTP error', async () => {
    // A mailbox that does not exist: the SMTP server answers 550, a permanent failure.
    sink.faults.rejectWith = { code: 550, message: '5.1.1 mailbox unavailable' };
    const account = await insertAccount(h.db.sql);
    const orderId = await insertOrder(h.db.sql, { accountId: account.id });
    const [id] = await insertExecutionReports(h.db.sql, [{ accountId: account.id, orderId }]);
    const failed = await waitFor(async () => {
      const e = await eventOf(id!);
      return e.deliveries.find((d: { channel: string; status: string }) => d.channel === 'mail' && d.status === 'failed');
    }, 20_000, 'the mail delivery to fail');
    expect(failed.lastError).toMatch(/550/);
    bouncedId = id;
    await waitFor(async () => (await h.operator.queues.mail.getFailedCount()) >= 1, 10_000, 'the failed mail job in BullMQ');
    sink.faults = {};

    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
    try {
      const page = await context.newPage();
      // Bull Board's CSP (issue 11) must allow all its UI uses: Chromium reports each refusal on the console.
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
      });
      const response = await page.goto(`${h.url}/admin/queues`);
      expect(response?.status()).toBe(200);
      // The overview links each queue's page.
      await page.locator('a[href$="/admin/queues/queue/outbox"]').first().waitFor({ timeout: 15_000 });
      await page.locator('a[href$="/admin/queues/queue/mail"]').first().waitFor({ timeout: 15_000 });

      await page.goto(`${h.url}/admin/queues/queue/mail?status=failed`);
      await page.getByText((await mailJobIdOf(h.db.sql, id!))!).first().waitFor({ timeout: 15_000 });
      await page.getByText(/550/).first().waitFor({ timeout: 15_000 });
      expect(refused).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

it('an admin finds the bounced mail over REST and resends only it, once the mailbox is fixed', async () => {
  expect(bouncedId).toBeDefined();
  const found = await h.call('GET', '/admin/outbox?deliveryStatus=failed', { token: admin });
  expect(found.body.events.map((e: { id: string }) => e.id)).toEqual([bouncedId]);
  expect(found.body.events[0].status).toBe('processed');

  const mailsBefore = sink.mails.length;
  const res = await h.call('POST', '/admin/outbox/requeue', { token: admin, body: { status: 'processed', deliveryStatus: 'failed' } });
  expect(res).toMatchObject({ status: 202, body: { requeued: 1 } });
  const mail = await waitFor(() => sink.mails.find((m) => m.messageId?.startsWith(`<${bouncedId}.2@`)), 20_000, 'the resent mail');
  expect(mail.headers.get('x-execution-event-id')).toBe(bouncedId);
  await waitFor(async () => (await eventOf(bouncedId!)).deliveries.some((d: { channel: string; generation: number; status: string }) => d.channel === 'mail' && d.generation === 2 && d.status === 'sent'), 10_000, 'the generation 2 mail recorded sent');
  // Only the bounced event was sent again.
  expect(sink.mails.length).toBe(mailsBefore + 1);
  expect((await h.call('GET', '/admin/outbox?deliveryStatus=failed', { token: admin })).body.events).toEqual([]);
});
