import { acquireLoadTestLock, insertAccount, insertOrder, startSteadyReportLoad, waitFor } from '@execn/testing';
import { PipelineHarness } from './test-support/pipeline-harness';

/**
 * CONTRACT section 7: when the SMTP server comes back after an outage or a
 * hang, sending resumes by itself within seconds, without restarting any
 * process. Each fault runs with a steady 200 reports/s flowing through it, on
 * a real SMTP server and real sockets, and everything that flowed is checked.
 */
describe('mail heals by itself after SMTP faults, under a steady load', () => {
  // Needs most of the 2 cores: one such test file at a time (see acquireLoadTestLock); released last.
  let releaseLoadTestLock: () => void = () => undefined;
  beforeAll(async () => {
    releaseLoadTestLock = await acquireLoadTestLock();
  }, 600_000);
  const RATE_PER_SECOND = 200;
  const h = new PipelineHarness({
    // Enough attempts to ride out the faults below; a short socket timeout so a hang is detected in a second.
    MAIL_ATTEMPTS: '15',
    MAIL_BACKOFF_MS: '200',
    MAIL_SOCKET_TIMEOUT_MS: '1000',
    WORKER_CONCURRENCY: '40',
  });
  let account: { id: string; email: string };
  let orderId: string;

  beforeAll(async () => {
    h.sink.headersOnly = true;
    await h.start();
    account = await insertAccount(h.db.sql);
    orderId = await insertOrder(h.db.sql, { accountId: account.id });
    await h.startPoller();
    h.startWorker();
  });
  afterEach(() => {
    h.sink.faults = {};
  });
  afterAll(async () => {
    await h.close();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** Mails the sink accepted in the last `windowMs`, per second. */
  const mailRate = (windowMs = 2_000) => {
    const since = Date.now() - windowMs;
    return (h.sink.mails.filter((m) => m.receivedAt.getTime() >= since).length * 1000) / windowMs;
  };
  const eventIdOf = (m: { headers: Map<string, unknown> }) => m.headers.get('x-execution-event-id') as string;

  const faults: Array<[string, () => Promise<void> | void, () => Promise<void> | void]> = [
    ['refuses connections (server down)', () => h.sink.stop(), async () => void (await h.sink.start(h.sink.port))],
    ['accepts and never answers (hang)', () => void (h.sink.faults = { hang: true }), () => void (h.sink.faults = {})],
    ['drops the connection in the middle of DATA', () => void (h.sink.faults = { dropInData: true }), () => void (h.sink.faults = {})],
    ['answers 421 for a while', () => void (h.sink.faults = { rejectWith: { code: 421, message: 'Service not available' } }), () => void (h.sink.faults = {})],
    ['answers 451 for a while', () => void (h.sink.faults = { rejectWith: { code: 451, message: 'Try again later' } }), () => void (h.sink.faults = {})],
    ['is slow (600 ms a message)', () => void (h.sink.faults = { dataDelayMs: 600 }), () => void (h.sink.faults = {})],
  ];

  it.each(faults)('SMTP server that %s: mail flows again at full rate within 10 s, and every event is mailed', async (_name, inject, clear) => {
    const mailsBefore = h.sink.mails.length;
    const load = startSteadyReportLoad(h.db.sql, { accountId: account.id, orderId }, RATE_PER_SECOND);
    await sleep(2_500);
    const rateBefore = mailRate();
    expect(rateBefore).toBeGreaterThanOrEqual(RATE_PER_SECOND * 0.75);

    await inject();
    await sleep(3_000);
    await clear();
    const recoveredAt = Date.now();
    // Flowing again at ≥ 80 % of the rate before, measured over 2 s, within 10 s of the server behaving again.
    await waitFor(() => Date.now() - recoveredAt >= 2_000 && mailRate() >= rateBefore * 0.8, 10_000, 'mail rate back to 80 % of before', 100).catch(
      (err: Error) => {
        throw new Error(`${err.message}: ${mailRate().toFixed(0)}/s now vs ${rateBefore.toFixed(0)}/s before`);
      },
    );
    const achieved = await load.stop();
    expect(achieved).toBeGreaterThanOrEqual(RATE_PER_SECOND * 0.9);

    // Everything that flowed is mailed; duplicates are counted (a reply lost after the server accepted can make one).
    const ids = load.ids;
    await waitFor(() => {
      const mailed = new Set(h.sink.mails.slice(mailsBefore).map(eventIdOf));
      return ids.every((id) => mailed.has(id));
    }, 30_000, `all ${ids.length} events mailed`);
    const mine = h.sink.mails.slice(mailsBefore).map(eventIdOf).filter((id) => ids.includes(id));
    const duplicates = mine.length - new Set(mine).size;
    expect(duplicates).toBeLessThanOrEqual(Math.ceil(ids.length * 0.01));
    const [sent] = await h.db.sql<{ n: number }[]>`
      select count(*)::int as n from notification_deliveries
      where channel = 'mail' and status = 'sent' and event_id = any(${ids}::bigint[])`;
    await waitFor(async () => {
      const [r] = await h.db.sql<{ n: number }[]>`
        select count(*)::int as n from notification_deliveries
        where channel = 'mail' and status = 'sent' and event_id = any(${ids}::bigint[])`;
      return r!.n === ids.length;
    }, 10_000, `every mail delivery recorded sent (${sent!.n} of ${ids.length})`);
  }, 90_000);
  afterAll(() => releaseLoadTestLock());
});
