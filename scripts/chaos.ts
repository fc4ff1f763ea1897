/**
 * `npm run chaos -- --minutes N [--seed S]`: the chaos soak of issue 10 (not part of `npm test`).
 *
 * Run by `node --import tsx`, like bench:live: the tsx CLI SIGKILLs a child that is slow to
 * acknowledge Ctrl-C, and the cleanup (private servers, app processes) would not run.
 *
 * The stack as `npm start` runs it (api, 2 ws nodes, poller, 2 workers, each its own bundled
 * process) on a private PostgreSQL, a private Redis with AOF behind a TCP proxy, and an SMTP
 * sink with faults; a steady mixed order load through the REST api; traders' SDK connections
 * that stay, and others that leave and resume; and for N minutes the faults of a schedule drawn
 * from the seed (scripts/chaos/schedule.ts). Then a short tail of load without faults, a drain,
 * and the checks of scripts/chaos/check.ts printed as a table and written as JSON. Exits 1 on
 * any loss, gap or unfinished event, 2 when the run itself failed.
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { signToken } from '@execn/auth';
import { migrateDatabase } from '@execn/db';
import { PrivatePostgres, PrivateRedis, SmtpSink, TcpProxy, acquireLoadTestLock } from '@execn/testing';
import { sleep } from './bench-common';
import { bundleApps } from './bench-pipeline-support';
import { checkChaosRun, formatVerdict } from './chaos/check';
import { FaultRunner } from './chaos/faults';
import { LOAD_SYMBOLS, OrderLoad } from './chaos/load';
import { MailLog, drain, evidenceOf, readCommitted, readMailDeliveries } from './chaos/observe';
import { buildSchedule, describeFault } from './chaos/schedule';
import { ChaosStack } from './chaos/stack';
import { TraderSessions } from './chaos/traders';

const SECRET = 'chaos-soak-secret-0123456789-0123456789-0123';
/**
 * Defaults of every app, except these timings, shortened so that what a fault leaves behind
 * (a claim of a killed poller, a mail in backoff after an SMTP outage) comes back within the
 * drain of a short run rather than after the production minutes. The job lock stays at its
 * default (30 s): shorter than a Redis cut, it makes every job of the cut stall and run twice,
 * which production would not see (a killed worker's jobs still come back: stalled checks every 5 s).
 */
const APP_TIMINGS = {
  OUTBOX_LEASE_MS: '10000',
  WORKER_STALLED_INTERVAL_MS: '5000',
  MAIL_ATTEMPTS: '15',
  MAIL_BACKOFF_MS: '500',
  MAIL_SOCKET_TIMEOUT_MS: '5000',
};
/** Reports committed this long after a fault healed still count as in its window for the latency row. */
const RECOVERY_MARGIN_MS = 15_000;
/** ... and reports committed this long before a fault started: they were in flight when it hit. */
const IN_FLIGHT_MARGIN_MS = 5_000;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seed: { type: 'string' },
    rate: { type: 'string', default: '150' },
    traders: { type: 'string', default: '16' },
    'tail-seconds': { type: 'string', default: '10' },
    'drain-seconds': { type: 'string', default: '120' },
    out: { type: 'string', default: 'chaos.json' },
    'keep-logs': { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const tradersN = Math.max(4, Number(values.traders) - (Number(values.traders) % 2));
if (!(minutes > 0) || !Number.isInteger(seed) || !(Number(values.rate) > 0)) {
  process.stderr.write('usage: npm run chaos -- --minutes N [--seed S] [--rate 150] [--traders 16] [--drain-seconds 120] [--out chaos.json] [--keep-logs]\n');
  process.exit(2);
}

const t0 = Date.now();
const log = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
/** Undone in reverse order on exit, failure or Ctrl-C. */
const cleanups: (() => Promise<unknown> | unknown)[] = [];
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const f of cleanups.reverse()) await Promise.resolve().then(f).catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
  })());
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nchaos: ${sig}, stopping everything it started\n`);
    setTimeout(() => process.exit(130), 60_000).unref();
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const phaseMs = Math.round(minutes * 60_000);
  const schedule = buildSchedule({ seed, phaseMs, traders: tradersN });
  log(`chaos: seed ${seed}, ${minutes} min of faults, ${values.rate} reports/s, ${tradersN} traders; ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  log(`schedule (same seed, same schedule):\n${schedule.map((f) => `           ${describeFault(f)}`).join('\n')}`);

  // The fault tests take the same lock: two loads at once on 2 cores would measure the machine, not the stack.
  log('waiting for the load-test lock (held while another load test runs)');
  cleanups.push(await acquireLoadTestLock());
  log('load-test lock taken');
  const runDir = mkdtempSync(path.join(os.tmpdir(), `chaos-${seed}-`));
  log(`app logs in ${runDir}`);

  // fsync off: the soak restarts PostgreSQL with a fast shutdown (a checkpoint), never a crash.
  const pg = await PrivatePostgres.start({ settings: ['fsync=off'] });
  cleanups.push(() => pg.close());
  const dbUrl = pg.url('exec_notify');
  await migrateDatabase(dbUrl);
  const sql = postgres(dbUrl, { max: 2, onnotice: () => undefined, connect_timeout: 5 });
  cleanups.push(() => sql.end({ timeout: 5 }));
  const redis = new PrivateRedis();
  await redis.start();
  cleanups.push(() => redis.close());
  const redisProxy = new TcpProxy('127.0.0.1', redis.port);
  await redisProxy.start();
  cleanups.push(() => redisProxy.cut());
  const sink = new SmtpSink();
  sink.headersOnly = true;
  await sink.start();
  cleanups.push(() => sink.stop());
  const mailLog = new MailLog(sink);

  const accounts = Array.from({ length: tradersN }, (_, i) => `trader-${i + 1}`);
  const emails = accounts.map((a) => `${a}@chaos.test`);
  for (const [i, id] of accounts.entries()) await sql`insert into accounts (id, email) values (${id}, ${emails[i]!})`;
  for (const s of LOAD_SYMBOLS) await sql`insert into instruments (symbol, tick_size) values (${s}, '0.01')`;
  const tokens = await Promise.all(accounts.map((accountId) => signToken(SECRET, { accountId, role: 'trader' }, 6 * 3600)));

  const bundles = await bundleApps(['api', 'ws', 'poller', 'worker'], runDir);
  const env = {
    DATABASE_URL: dbUrl, REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`, QUEUE_PREFIX: 'chaos', SMTP_URL: sink.url,
    MAIL_FROM: 'Executions <executions@chaos.test>', JWT_SECRET: SECRET, LOG_LEVEL: 'info', ...APP_TIMINGS,
  };
  const stack = await ChaosStack.start(bundles, env, runDir, log);
  cleanups.push(() => stack.close());
  log(`stack up: api ${stack.apiUrl}, ws ${stack.wsUrls.join(' ')}, PostgreSQL :${pg.port}, Redis :${redis.port} via proxy :${redisProxy.port}, SMTP ${sink.url}`);

  const traders = new TraderSessions({ wsUrls: stack.wsUrls, accounts, tokens, seed });
  cleanups.push(() => traders.close());
  await traders.start();
  const load = new OrderLoad({ apiUrl: stack.apiUrl, tokens, reportsPerSecond: Number(values.rate), seed });
  cleanups.push(() => load.stop());
  const faults = new FaultRunner({ stack, postgres: pg, redis, redisProxy: redisProxy, sink, traderEmails: emails }, log);

  const phaseStart = Date.now();
  load.start();
  faults.schedule(schedule, phaseStart);
  let cpuBefore = process.cpuUsage();
  const progress = setInterval(() => {
    // This process drives the load, holds the sockets and runs the SMTP sink: when it is short of CPU, what lags may be it.
    const cpu = process.cpuUsage(cpuBefore);
    cpuBefore = process.cpuUsage();
    const selfCpu = `this process ${Math.round((cpu.user + cpu.system) / 100_000)} % CPU`;
    void sql<{ n: string }[]>`select count(*)::text as n from outbox_events`.then(
      ([r]) => log(`progress: ${r!.n} reports committed; ${mailLog.mails.length} mails; SDK connections not live ${traders.notLive()}; ${selfCpu}; answers ${load.summary()}`),
      () => log(`progress: PostgreSQL not answering; answers ${load.summary()}`),
    );
  }, 10_000);
  cleanups.push(() => clearInterval(progress));
  await sleep(phaseMs);
  await faults.settled();
  log(`faults over; ${values['tail-seconds']} s more load without faults, then drain`);
  await sleep(Number(values['tail-seconds']) * 1000);
  await traders.stopChurn();
  await load.stop();
  clearInterval(progress);
  const left = await drain(sql, traders.consumers, mailLog, Number(values['drain-seconds']) * 1000, log);

  const events = await readCommitted(sql);
  const verdict = checkChaosRun({
    events,
    consumers: traders.consumers,
    mailDeliveries: await readMailDeliveries(sql),
    mails: mailLog.mails,
    wireCopies: traders.wireCopies,
    faultWindows: faults.records,
    recoveryMarginMs: RECOVERY_MARGIN_MS,
    inFlightMarginMs: IN_FLIGHT_MARGIN_MS,
    unexpectedExits: stack.unexpectedExits.map((x) => `${x.slot} (${x.code}) at +${((x.at - phaseStart) / 1000).toFixed(1)}s`),
  });
  const evidence = await evidenceOf(sql, verdict.problemEventIds);

  log('faults as they happened (start → healed, from the start of the fault phase):');
  for (const r of faults.records) {
    const at = (ms: number) => `${((ms - phaseStart) / 1000).toFixed(1)}s`;
    process.stdout.write(`           ${at(r.start).padStart(7)} → ${at(r.end).padStart(7)}  ${r.label.replace(/^\+[\d.]+s\s+/, '')}${r.exit !== undefined ? ` (exit ${r.exit})` : ''}${r.error ? ` FAILED: ${r.error}` : ''}\n`);
  }
  log(`api answers: ${load.summary()}`);
  process.stdout.write(`\nchaos seed ${seed}: ${verdict.ok ? 'no loss' : 'LOSS'}\n${formatVerdict(verdict)}\n`);

  const out = path.resolve(values.out!);
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(), seed, args: values, appTimings: APP_TIMINGS, recoveryMarginMs: RECOVERY_MARGIN_MS, inFlightMarginMs: IN_FLIGHT_MARGIN_MS, logs: runDir,
        ok: verdict.ok, table: verdict.rows, findings: verdict.samples, evidence, drainLeft: left,
        // What the SDK connections with a finding went through: status changes, gaps given up, seqs around each jump.
        connections: traders.consumers.filter((c) => verdict.problemConsumers.includes(c.name)).map((c) => ({
          name: c.name, gaps: c.gaps,
          statuses: c.statuses?.map((x) => ({ ...x, at: x.at - phaseStart })),
          jumps: c.delivered.flatMap((d, i) => (i > 0 && d.seq !== c.delivered[i - 1]!.seq + 1 ? [{ at: d.at - phaseStart, after: c.delivered[i - 1]!.seq, seq: d.seq, eventId: d.eventId }] : [])),
        })),
        schedule: schedule.map(describeFault),
        faults: faults.records.map((r) => ({ ...r, start: r.start - phaseStart, end: r.end - phaseStart })),
        unexpectedExits: stack.unexpectedExits.map((x) => ({ ...x, at: x.at - phaseStart })),
        apiAnswers: Object.fromEntries(load.answers), committed: events.length, mails: mailLog.mails.length,
      },
      null,
      2,
    )}\n`,
  );
  log(`JSON in ${out}; app logs in ${runDir}`);
  // The logs are the evidence of a failed run; a clean run leaves nothing behind.
  if (verdict.ok && stack.unexpectedExits.length === 0 && !values['keep-logs']) cleanups.unshift(() => rmSync(runDir, { recursive: true, force: true }));
  return verdict.ok ? 0 : 1;
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`chaos failed: ${String((err as Error)?.stack ?? err)}\n`);
    return 2;
  })
  .then(async (code) => {
    if (interrupted) return;
    await cleanup();
    process.exit(code);
  });
