import { readFileSync } from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { acquireLoadTestLock, createTestDatabase, insertAccount, insertOrder, insertReportBacklog, uniquePrefix, waitFor } from '@execn/testing';
import type { TestDatabase } from '@execn/testing';
import { connectRaw, spawnWsChild, traderToken, type RawClient, type WsChild } from './test-support/ws-node';


/**
 * Issue 11 item 7, first case: on one ws node (a child process, so its RSS is
 * its own), a socket that never reads sends 20 `resume {sinceSeq: 0}` of 50,000
 * reports at once, while another trader's socket on the same node pings
 * without pause. The other trader's p99 stays under 50 ms, the node's memory
 * stays bounded, and the reader that does not read is dropped. Real node,
 * Redis and PostgreSQL; prints the figures.
 */
const REPORTS = 50_000;
let db: TestDatabase;
let node: WsChild;
let calm: RawClient | undefined;
let hog: net.Socket | undefined;
let releaseLoadTestLock: (() => void) | undefined;

beforeAll(async () => {
  // A latency bound on 2 shared cores: not while another heavy test file runs (see acquireLoadTestLock).
  releaseLoadTestLock = await acquireLoadTestLock();
  db = await createTestDatabase({ max: 4 });
  node = await spawnWsChild(db.url, uniquePrefix('wsslow'), { WS_SLOW_CLIENT_TIMEOUT_MS: '3000' });
}, 660_000);
afterAll(async () => {
  calm?.close();
  hog?.destroy();
  await node?.stop();
  await db?.drop();
  releaseLoadTestLock?.();
});

/** RSS of the node in MiB, from /proc. */
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${node.child.pid}/status`, 'utf8'))![1]) / 1024;

/** One masked websocket text frame (a client must mask), for the hand-made client below. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([head, mask, payload.map((b, i) => b ^ mask[i % 4]!)]);
}

/**
 * A Socket.IO client by hand over one TCP connection, so that it can stop
 * reading at the kernel level: upgrade, connect with the token, wait for the
 * connect ack, send `resume` 20 times, then never read again.
 */
async function connectNonReader(port: number, token: string): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Socket.IO connect ack: ${seen.slice(0, 300)}`)), 5_000);
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (seen.includes('101 Switching Protocols') && seen.includes('"sid"') && !seen.includes('40{"sid"')) {
        socket.write(frame(`40${JSON.stringify({ token })}`));
      }
      if (seen.includes('40{"sid"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  socket.removeAllListeners('data');
  socket.pause();
  for (let i = 0; i < 20; i++) socket.write(frame(`42${i}["resume",{"sinceSeq":0}]`));
  return socket;
}

const connectedClients = async () => {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(/^ws_connected_clients (\d+)/m.exec(text)?.[1]);
};

it('keeps another trader’s pings fast and the node’s memory bounded while a socket that never reads resumes 20 × 50,000 reports; drops that socket', async () => {
  const hogAccount = await insertAccount(db.sql);
  await insertReportBacklog(db.sql, [{ accountId: hogAccount.id, orderId: await insertOrder(db.sql, { accountId: hogAccount.id }) }], REPORTS);
  const calmAccount = await insertAccount(db.sql);
  calm = await connectRaw(node.url, await traderToken(calmAccount.id));

  const rssBefore = rssMiB();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB())), 50);
  const rtts: number[] = [];
  let pinging = true;
  const pings = (async () => {
    while (pinging) {
      const t0 = performance.now();
      await calm!.emitWithAck('unsubscribe', { orderId: '00000000-0000-4000-8000-000000000000' });
      rtts.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();

  const started = Date.now();
  hog = await connectNonReader(Number(new URL(node.url).port), await traderToken(hogAccount.id));
  expect(await connectedClients()).toBe(2);
  // The replay fills the kernel buffers, then waits WS_SLOW_CLIENT_TIMEOUT_MS (3 s here) for a reader that never reads.
  await waitFor(async () => (await connectedClients()) === 1, 30_000, 'the socket that never reads to be dropped');
  const droppedAfterMs = Date.now() - started;
  await new Promise((r) => setTimeout(r, 500));
  pinging = false;
  await pings;
  clearInterval(sampler);
  const rssAfter = rssMiB();

  rtts.sort((a, b) => a - b);
  const p = (q: number) => rtts[Math.min(rtts.length - 1, Math.floor(q * rtts.length))]!;
  console.log(
    `non-reading socket, 20 × resume of ${REPORTS} reports: dropped after ${droppedAfterMs} ms; ` +
      `other trader's pings n=${rtts.length} p50 ${p(0.5).toFixed(1)} ms p99 ${p(0.99).toFixed(1)} ms max ${p(1).toFixed(1)} ms; ` +
      `node RSS ${rssBefore.toFixed(0)} MiB before, ${rssPeak.toFixed(0)} MiB peak, ${rssAfter.toFixed(0)} MiB after`,
  );
  expect(rtts.length).toBeGreaterThan(50);
  expect(p(0.99)).toBeLessThan(50);
  // 20 replays of 50,000 reports (~600 bytes each) held in the node would be ~600 MiB.
  expect(rssPeak - rssBefore).toBeLessThan(100);
  expect(calm.connected).toBe(true);
}, 90_000);
