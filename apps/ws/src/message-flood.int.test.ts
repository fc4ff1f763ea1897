import { randomUUID } from 'node:crypto';
import { acquireLoadTestLock, createTestDatabase, insertAccount, insertOrder, uniquePrefix, type TestDatabase } from '@execn/testing';
import { connectRaw, spawnWsChild, traderToken, type RawClient, type WsChild } from './test-support/ws-node';

/**
 * Issue 11 item 1, the message flood: one account holds the most sockets a
 * node allows it and floods `subscribe` (each an ownership read in
 * PostgreSQL) with many acks outstanding on every socket, while another
 * trader on the same node pings and subscribes to its own orders. Per socket,
 * the reads run one at a time (the rest wait in the node) and messages over
 * WS_RATE_LIMIT_PER_SECOND are refused `rate_limited` without a read, so the
 * flood holds few of the node's 4 pool connections and the other trader keeps
 * its latency. Real node (a child process), Redis and PostgreSQL; prints the
 * figures.
 */
const SOCKETS = 10;
const OUTSTANDING_PER_SOCKET = 20;
let db: TestDatabase;
let node: WsChild;
const clients: RawClient[] = [];
let releaseLoadTestLock: (() => void) | undefined;

beforeAll(async () => {
  releaseLoadTestLock = await acquireLoadTestLock();
  db = await createTestDatabase({ max: 2 });
  node = await spawnWsChild(db.url, uniquePrefix('wsflood'), { WS_MAX_CONNECTIONS_PER_ACCOUNT: String(SOCKETS), WS_RATE_LIMIT_PER_SECOND: '200' });
}, 660_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await node?.stop();
  await db?.drop();
  releaseLoadTestLock?.();
});

const pct = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const show = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return `n=${s.length} p50 ${pct(s, 0.5).toFixed(1)} ms p99 ${pct(s, 0.99).toFixed(1)} ms`;
};

/** The calm trader for `ms`: alternately a ping (`unsubscribe`, no read) and a `subscribe` to its own order (a read). */
async function calmTraffic(calm: RawClient, orderId: string, ms: number) {
  const pings: number[] = [];
  const subscribes: number[] = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    let t0 = performance.now();
    await calm.emitWithAck('unsubscribe', { orderId });
    pings.push(performance.now() - t0);
    t0 = performance.now();
    expect(await calm.emitWithAck('subscribe', { orderId })).toEqual({ ok: true });
    subscribes.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  return { pings, subscribes };
}

it('keeps another trader’s pings and subscribes fast while one account floods subscribe from every socket it may hold', async () => {
  const hogAccount = await insertAccount(db.sql);
  const calmAccount = await insertAccount(db.sql);
  const calmOrder = await insertOrder(db.sql, { accountId: calmAccount.id });
  const calm = await connectRaw(node.url, await traderToken(calmAccount.id));
  clients.push(calm);
  await calmTraffic(calm, calmOrder, 500); // warm-up
  const quiet = await calmTraffic(calm, calmOrder, 1_500);

  const hogToken = await traderToken(hogAccount.id);
  const hogs = await Promise.all(Array.from({ length: SOCKETS }, () => connectRaw(node.url, hogToken)));
  clients.push(...hogs);
  const acks = new Map<string, number>();
  let flooding = true;
  const flood = Promise.all(
    hogs.flatMap((hog) =>
      Array.from({ length: OUTSTANDING_PER_SOCKET }, async () => {
        while (flooding) {
          const ack = (await hog.emitWithAck('subscribe', { orderId: randomUUID() })) as { ok: boolean; error?: string };
          const key = ack.ok ? 'ok' : ack.error!;
          acks.set(key, (acks.get(key) ?? 0) + 1);
        }
      }),
    ),
  );
  await new Promise((r) => setTimeout(r, 300));
  const started = performance.now();
  const busy = await calmTraffic(calm, calmOrder, 2_500);
  const seconds = (performance.now() - started + 300) / 1000;
  flooding = false;
  await flood;

  const total = [...acks.values()].reduce((a, b) => a + b, 0);
  console.log(
    `subscribe flood: ${SOCKETS} sockets × ${OUTSTANDING_PER_SOCKET} outstanding, ${total} acks in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s): ` +
      `${[...acks].map(([k, n]) => `${k} ${n}`).join(', ')}\n` +
      `other trader, quiet: pings ${show(quiet.pings)}, subscribes ${show(quiet.subscribes)}; ` +
      `during the flood: pings ${show(busy.pings)}, subscribes ${show(busy.subscribes)}`,
  );
  // Random ids are nobody's: the reads answered not_found; over the message rate (when the machine lets the
  // flood go that fast), refused without one.
  expect([...acks.keys()].filter((k) => k !== 'not_found' && k !== 'rate_limited')).toEqual([]);
  expect(acks.get('not_found')).toBeGreaterThan(0);
  const sorted = (ms: number[]) => [...ms].sort((a, b) => a - b);
  // Wide margins: 2 shared cores, the flood's clients in this process. The median tells the two designs apart
  // (concurrent reads: pings p50 ~190 ms; one read at a time per socket: 11-30 ms); the p99 of ~30 pings is
  // their maximum, which one pause of the shared machine sets (145 ms seen in a CI run), so it only bounds.
  expect(pct(sorted(busy.pings), 0.5)).toBeLessThan(Math.max(60, 5 * pct(sorted(quiet.pings), 0.5)));
  expect(pct(sorted(busy.pings), 0.99)).toBeLessThan(Math.max(300, 3 * pct(sorted(quiet.pings), 0.99)));
  // Subscribes: ~255 ms at the median with concurrent reads, 16-30 ms with one at a time.
  expect(pct(sorted(busy.subscribes), 0.5)).toBeLessThan(Math.max(100, 4 * pct(sorted(quiet.subscribes), 0.5)));
  expect(calm.connected).toBe(true);
}, 60_000);
