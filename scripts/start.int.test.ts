/**
 * `npm start` end to end, as a newcomer would use it: from a fresh database and
 * a Redis prefix of its own, the stack comes up within a bounded time, two
 * crossing orders placed over REST bring reports to connected sockets and mails
 * to the sink's page, and SIGINT stops every process with exit 0, leaving none behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import postgres from 'postgres';
import Redis from 'ioredis';
import { signToken } from '@execn/auth';
import type { ClientToServerEvents, ExecutionReport, ServerToClientEvents } from '@execn/contracts';
import { splitDatabaseUrl } from '@execn/db';
import { databaseUrl, uniqueId, uniquePrefix, waitFor, findFreePort, findFreePortRun, isProcessAlive } from '@execn/testing';

const root = path.resolve(__dirname, '..');
const JWT_SECRET = 'start-e2e-test-secret-0123456789abcdefghijkl';
const READY_WITHIN_MS = 90_000;

type TraderSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('npm start', () => {
  const dbName = `execn_t_start_${uniqueId('x').slice(2)}`;
  const prefix = uniquePrefix('start');
  let runner: ChildProcess;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let ports: { api: number; ws: number; metrics: number; smtp: number; mailUi: number };
  const sockets: TraderSocket[] = [];

  const childPids = () => [...output.matchAll(/^\S+\s+\| started \(pid (\d+)\)$/gm)].map((m) => Number(m[1]));
  /** Whether a TCP connection to host:port is accepted. */
  const accepts = (host: string, port: number) =>
    new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port }, () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
  const readyz = async (port: number) => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;

  beforeAll(async () => {
    ports = { api: await findFreePort(), ws: await findFreePortRun(2), metrics: await findFreePortRun(3), smtp: await findFreePort(), mailUi: await findFreePort() };
    runner = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'start.ts')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: databaseUrl(dbName),
        QUEUE_PREFIX: prefix,
        JWT_SECRET,
        API_PORT: String(ports.api),
        WS_PORT: String(ports.ws),
        METRICS_PORT: String(ports.metrics),
        SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`,
        MAIL_UI_PORT: String(ports.mailUi),
        BULL_BOARD_USER: '',
        BULL_BOARD_PASSWORD: '',
        LOG_LEVEL: 'info',
      },
    });
    runner.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    runner.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    exit = new Promise((resolve) => runner.once('exit', (code, signal) => resolve({ code, signal })));
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    if (runner.exitCode === null && runner.signalCode === null) {
      runner.kill('SIGINT');
      await Promise.race([exit, new Promise((r) => setTimeout(r, 20_000).unref())]);
    }
    // Whatever went wrong above, leave no process behind.
    for (const pid of [runner.pid!, ...childPids()]) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    const admin = postgres(splitDatabaseUrl(databaseUrl(dbName)).adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('comes up from a clean state within a bounded time: api and both ws nodes ready, every process in its own prefixed log', async () => {
    const started = Date.now();
    await waitFor(
      async () => (await readyz(ports.api)) && (await readyz(ports.ws)) && (await readyz(ports.ws + 1)),
      READY_WITHIN_MS,
      `api and ws /readyz 200; output so far:\n${output.slice(-3000)}`,
      250,
    );
    await waitFor(() => output.includes('exec-notify is up'), 30_000, 'the banner');
    expect(Date.now() - started).toBeLessThan(READY_WITHIN_MS);
    expect(output).toMatch(/created and migrated database execn_t_start_/);
    expect(output).toMatch(/seeded demo accounts \(alice, bob\) and instruments/);
    for (const name of ['api', 'ws-1', 'ws-2', 'poller', 'worker-1', 'worker-2']) expect(output).toMatch(new RegExp(`^${name}\\s+\\| started \\(pid \\d+\\)$`, 'm'));
    expect(output).toMatch(/^api\s+\| \[\d\d:\d\d:\d\d\.\d{3}\] INFO: api listening/m);
    expect(output).toContain(`Bull Board       http://localhost:${ports.api}/admin/queues  user ops / password ops`);
    expect(output).toMatch(/export ALICE_TOKEN=ey\S+\n\s+export BOB_TOKEN=ey\S+\n\s+export ADMIN_TOKEN=ey\S+/);
    // The trader page is served by the api and points browsers at both ws nodes.
    const page = await fetch(`http://127.0.0.1:${ports.api}/`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^text\/html/)]);
    await page.body?.cancel();
    const pageConfig = (await (await fetch(`http://127.0.0.1:${ports.api}/page-config.json`)).json()) as {
      wsUrls: string[];
      devTokens: Array<{ label: string; token: string }>;
    };
    expect(pageConfig.wsUrls).toEqual([`:${ports.ws}`, `:${ports.ws + 1}`]);
    // ...and offers the demo traders' tokens (the same the banner prints) with one click.
    const printed = (name: string) => new RegExp(`export ${name}_TOKEN=(ey\\S+)`).exec(output)?.[1];
    expect(pageConfig.devTokens).toEqual([
      { label: 'alice', token: printed('ALICE') },
      { label: 'bob', token: printed('BOB') },
    ]);
    // Dev tokens, dev credentials and a public dev JWT secret: nothing listens beyond loopback (HOST unset).
    const lan = Object.values(networkInterfaces()).flat().find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    expect(lan).toBeDefined();
    for (const port of [ports.api, ports.ws, ports.ws + 1, ports.metrics, ports.metrics + 1, ports.metrics + 2, ports.mailUi]) {
      expect([port, await accepts('127.0.0.1', port), await accepts(lan!, port)]).toEqual([port, true, false]);
    }
    // The dev Bull Board credentials the banner prints open it.
    const board = await fetch(`http://127.0.0.1:${ports.api}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:ops').toString('base64')}` } });
    expect(board.status).toBe(200);
    await board.body?.cancel();
  }, READY_WITHIN_MS + 40_000);

  it('two crossing orders placed over REST bring reports to sockets on both ws nodes and mails to the sink page', async () => {
    const token = (accountId: string) => signToken(JWT_SECRET, { accountId, role: 'trader' }, 600);
    const [alice, bob] = [await token('alice'), await token('bob')];
    const received: Record<string, ExecutionReport[]> = { alice: [], bob: [] };
    for (const [who, tok, port] of [['alice', alice, ports.ws], ['bob', bob, ports.ws + 1]] as const) {
      const socket: TraderSocket = io(`http://127.0.0.1:${port}`, { auth: { token: tok }, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      socket.on('execution.report', (r) => received[who]!.push(r));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    }
    const place = async (tok: string, body: object) => {
      const res = await fetch(`http://127.0.0.1:${ports.api}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { order: { id: string; status: string } }).order;
    };
    const sell = await place(alice, { symbol: 'AAPL', side: 'sell', type: 'limit', quantity: 100, price: '190.00' });
    const buy = await place(bob, { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 100, price: '190.00' });
    expect(buy.status).toBe('filled');

    // Two workers dispatch in parallel and delivery is at least once: a raw socket may get reports
    // out of order or twice; `seq` orders them (the SDK does exactly this).
    const bySeq = (reports: ExecutionReport[]) => [...new Map(reports.map((r) => [r.seq, r])).values()].sort((a, b) => a.seq - b.seq);
    const seqs = (reports: ExecutionReport[]) => bySeq(reports).map((r) => r.seq).join(',');
    await waitFor(() => seqs(received.alice!) === '1,2' && seqs(received.bob!) === '1,2', 30_000, 'new and trade reports on both sockets');
    const [aliceReports, bobReports] = [bySeq(received.alice!), bySeq(received.bob!)];
    expect(aliceReports.map((r) => [r.orderId, r.execType, r.seq])).toEqual([[sell.id, 'new', 1], [sell.id, 'trade', 2]]);
    expect(bobReports.map((r) => [r.orderId, r.execType, r.seq])).toEqual([[buy.id, 'new', 1], [buy.id, 'trade', 2]]);
    const [aliceTrade, bobTrade] = [aliceReports[1]!, bobReports[1]!];
    expect([aliceTrade.tradeId, aliceTrade.lastQty, aliceTrade.lastPx, aliceTrade.status]).toEqual([bobTrade.tradeId, 100, bobTrade.lastPx, 'filled']);

    const mailsUrl = `http://127.0.0.1:${ports.mailUi}`;
    const summaries = await waitFor(
      async () => {
        const { mails } = (await (await fetch(`${mailsUrl}/api/mails`)).json()) as { mails: Array<{ id: number; to: string[]; eventId: string }> };
        // One mail per report; a retried send carries the same event id.
        const unique = [...new Map(mails.map((m) => [m.eventId, m])).values()];
        return unique.length >= 4 ? unique : undefined;
      },
      30_000,
      'four mails (new + trade for each side)',
    );
    expect(summaries.map((m) => m.to[0]).sort()).toEqual(['alice@example.com', 'alice@example.com', 'bob@example.com', 'bob@example.com']);
    const page = await (await fetch(`${mailsUrl}/`)).text();
    expect(page).toContain('alice@example.com');
    expect(page).toContain('bob@example.com');
    const trade = summaries.find((m) => m.eventId === aliceTrade.eventId)!;
    const one = await (await fetch(`${mailsUrl}/mails/${trade.id}`)).text();
    expect(one).toMatch(new RegExp(`<th>x-execution-event-id</th><td>${aliceTrade.eventId}</td>`));
    expect(one).toContain('<h2>HTML</h2><iframe sandbox=""');
  }, 90_000);

  it('SIGINT stops every process gracefully: exit code 0 and no process left behind', async () => {
    const pids = childPids();
    expect(pids.length).toBeGreaterThanOrEqual(6);
    runner.kill('SIGINT');
    const status = await Promise.race([exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000).unref())]);
    expect(status).toEqual({ code: 0, signal: null });
    for (const name of ['api', 'ws-1', 'ws-2', 'poller', 'worker-1', 'worker-2']) expect(output).toMatch(new RegExp(`^${name}\\s+\\| stopped \\(code 0\\)$`, 'm'));
    expect(pids.filter((pid) => isProcessAlive(pid))).toEqual([]);
    expect(await readyz(ports.api)).toBe(false);
    expect(await fetch(`http://127.0.0.1:${ports.mailUi}/`).then(() => 'up', () => 'down')).toBe('down');
  }, 30_000);
});
