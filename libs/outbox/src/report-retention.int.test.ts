import pino from 'pino';
import { ReplayHorizonError } from '@execn/contracts';
import { loadConfig } from '@execn/config';
import { listReportsSince } from '@execn/db';
import { createPollerMetrics } from '@execn/observability';
import {
  ageReports,
  createTestDatabase,
  insertAccount,
  insertExecutionReports,
  insertOrder,
  insertReportBacklog,
  uniquePrefix,
  waitFor,
  type TestDatabase,
} from '@execn/testing';
import { startOutboxPoller } from './poller-runtime';
import { ReportRetention } from './report-retention';

const DAY_MS = 86_400_000;
const log = pino({ level: 'silent' });

/** Retention against a real PostgreSQL: what goes, what stays, the horizon it leaves, several runners at once. */
describe('report retention', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ max: 8 });
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** An account with `n` reports (seq 1..n) of one order, all pending and new. */
  const accountWithReports = async (n: number) => {
    const { id } = await insertAccount(db.sql);
    const orderId = await insertOrder(db.sql, { accountId: id });
    await insertExecutionReports(db.sql, Array.from({ length: n }, () => ({ accountId: id, orderId })));
    return id;
  };
  const keptSeqs = async (accountId: string) =>
    (await db.sql<{ s: string }[]>`select seq::text as s from outbox_events where account_id = ${accountId} order by seq`).map((r) => Number(r.s));
  const deliveriesOf = async (ids: string[]) =>
    Number((await db.sql<{ n: string }[]>`select count(*)::text as n from notification_deliveries where event_id = any(${ids}::bigint[])`)[0]!.n);
  const horizonOf = async (accountId: string) =>
    listReportsSince(db.sql, accountId, 0, 1).then(
      () => null,
      (err: unknown) => (err instanceof ReplayHorizonError ? err.oldestSeq : Promise.reject(err)),
    );
  const retention = (batchSize = 2) => new ReportRetention({ sql: db.sql, log, retentionMs: 30 * DAY_MS, batchSize, pauseMs: 0 });

  it('deletes old processed reports with their deliveries, keeps unfinished and recent ones, and sets the horizon', async () => {
    const acc = await accountWithReports(12);
    const old = { ageMs: 31 * DAY_MS };
    const deletable = await ageReports(db.sql, acc, [1, 2, 6, 7], old);
    const kept = [
      ...(await ageReports(db.sql, acc, [3], { ...old, mailStatus: 'pending' })), // its mail not sent yet
      ...(await ageReports(db.sql, acc, [4], { ...old, status: 'failed' })), // dispatch gave up: an admin may requeue it
      ...(await ageReports(db.sql, acc, [5], { ...old, status: 'enqueued', mailStatus: null })), // in flight
      ...(await ageReports(db.sql, acc, [8], { ...old, mailStatus: 'coalesced' })), // a finished status this code does not know
      ...(await ageReports(db.sql, acc, [9, 10], { ageMs: 29 * DAY_MS })), // processed, but within the retention
      ...(await ageReports(db.sql, acc, [11], { ...old, mailStatus: 'held' })), // its fill waits for the order's summary mail
    ];
    const quiet = await accountWithReports(2); // nothing old: no horizon

    const pass = await retention(2).runOnce();

    expect(pass.deleted).toBe(5); // 1, 2, 6, 7 and 8
    expect(await keptSeqs(acc)).toEqual([3, 4, 5, 9, 10, 11, 12]);
    expect(await deliveriesOf(deletable)).toBe(0);
    expect(await deliveriesOf(kept.slice(0, 2))).toBe(4); // websocket + mail of 3 and 4 are still there
    // Reports after 8 are complete from 9 on: the horizon is 9, even though 3-5 are still kept below it.
    expect(await horizonOf(acc)).toBe(9);
    await expect(listReportsSince(db.sql, acc, 7, 100)).rejects.toMatchObject({ code: 'resume_horizon', details: { oldestSeq: 9 } });
    expect((await listReportsSince(db.sql, acc, 8, 100)).map((r) => r.seq)).toEqual([9, 10, 11, 12]);
    expect(await horizonOf(quiet)).toBeNull();
    expect(await keptSeqs(quiet)).toEqual([1, 2]);

    // A second pass finds nothing more; once the failed one is requeued and dispatched, it goes too (the horizon stays).
    expect((await retention(2).runOnce()).deleted).toBe(0);
    await ageReports(db.sql, acc, [4], { ...old, mailStatus: null });
    expect((await retention(2).runOnce()).deleted).toBe(1);
    expect(await horizonOf(acc)).toBe(9);
  });

  it('skips a row another transaction holds (a requeue in progress) and never waits for it', async () => {
    const acc = await accountWithReports(3);
    const ids = await ageReports(db.sql, acc, [1, 2, 3], { ageMs: 31 * DAY_MS });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.sql.begin(async (tx) => {
      await tx`select id from outbox_events where id = ${ids[1]!} for update`;
      locked();
      await held;
    });
    await isLocked;
    const startedAt = Date.now();
    const pass = await retention(10).runOnce();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(pass.deleted).toBe(2);
    expect(await keptSeqs(acc)).toEqual([2]);
    release();
    await holder;
    expect((await retention(10).runOnce()).deleted).toBe(1);
    expect(await keptSeqs(acc)).toEqual([]);
    // Everything was deleted: the horizon is past the last report, and a replay from there is complete (and empty).
    expect(await horizonOf(acc)).toBe(4);
    expect(await listReportsSince(db.sql, acc, 3, 100)).toEqual([]);
  });

  it('gives a batch up at once (lock_timeout) when a delivery it would cascade to is locked, rather than wait holding its rows', async () => {
    const acc = await accountWithReports(2);
    const [id] = await ageReports(db.sql, acc, [1, 2], { ageMs: 31 * DAY_MS });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.sql.begin(async (tx) => {
      await tx`select id from notification_deliveries where event_id = ${id!} and channel = 'mail' for update`;
      locked();
      await held;
    });
    await isLocked;
    const startedAt = Date.now();
    await expect(retention(10).runOnce()).rejects.toMatchObject({ code: '55P03' }); // lock_not_available
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(await keptSeqs(acc)).toEqual([1, 2]); // the batch rolled back whole
    release();
    await holder;
    expect((await retention(10).runOnce()).deleted).toBe(2);
  });

  it('several runners at once delete each row once and leave the right horizon', async () => {
    const { id } = await insertAccount(db.sql);
    const orderId = await insertOrder(db.sql, { accountId: id });
    await insertReportBacklog(db.sql, [{ accountId: id, orderId }], 3_000);
    await ageReports(db.sql, id, Array.from({ length: 2_500 }, (_, i) => i + 1), { ageMs: 31 * DAY_MS });
    const passes = await Promise.all([retention(100), retention(100), retention(100)].map(async (r) => {
      let deleted = 0;
      // A pass that finds the lock taken ends at once: run each until the backlog is gone.
      for (let i = 0; i < 200 && (await keptSeqs(id))[0] !== 2_501; i++) deleted += (await r.runOnce()).deleted;
      return deleted;
    }));
    expect(passes.reduce((a, b) => a + b, 0)).toBe(2_500);
    expect((await keptSeqs(id)).length).toBe(500);
    expect(await horizonOf(id)).toBe(2_501);
  });

  it('runs in the poller with REPORT_RETENTION_DAYS, and not at all with 0', async () => {
    const acc = await accountWithReports(2);
    await ageReports(db.sql, acc, [1, 2], { ageMs: 31 * DAY_MS });
    const env = { DATABASE_URL: db.url, QUEUE_PREFIX: uniquePrefix('ret'), LOG_LEVEL: 'silent', ENABLE_NOTIFY: 'false' };
    const keepAll = await startOutboxPoller(loadConfig({ ...env, REPORT_RETENTION_DAYS: '0' }), log, createPollerMetrics({ defaultMetrics: false }));
    await keepAll.relay.relayOnce();
    await keepAll.close();
    expect(await keptSeqs(acc)).toEqual([1, 2]);
    const metrics = createPollerMetrics({ defaultMetrics: false });
    const poller = await startOutboxPoller(loadConfig({ ...env, REPORT_RETENTION_DAYS: '30' }), log, metrics);
    try {
      await waitFor(async () => (await keptSeqs(acc)).length === 0, 5_000, 'old reports deleted by the poller');
    } finally {
      await poller.close();
    }
    expect((await metrics.outboxRetentionDeletedTotal.get()).values[0]?.value).toBe(2);
    expect(await horizonOf(acc)).toBe(3);
  });
});
