import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import postgres from 'postgres';
import { findFreePort, findServerBinaries, isProcessAlive, probeRedis } from '@execn/testing';
import { decidePrivateServers, ensureServices, type StackServices } from './services';
import { createStackOutput } from './stack-output';

const out = createStackOutput(new PassThrough().resume(), false);
const binaries = findServerBinaries(process.env.PATH ?? '');
const REAL_PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REAL_REDIS = 'redis://127.0.0.1:6379';

describe('ensureServices', () => {
  let dataDir: string;
  let services: StackServices | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'execn-stack-'));
    // As root the private PostgreSQL runs as `postgres`, which must reach the folder (as it reaches a checkout's .data).
    chmodSync(dataDir, 0o755);
  });
  afterEach(async () => {
    await services?.stop();
    services = undefined;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('uses the configured PostgreSQL and Redis when they answer, and starts nothing', async () => {
    services = await ensureServices({ databaseUrl: REAL_PG, redisUrl: REAL_REDIS, dataDir, binaries, out });
    expect(services).toMatchObject({ databaseUrl: REAL_PG, redisUrl: REAL_REDIS, started: [] });
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
  });

  it('starts private PostgreSQL and Redis under the data folder when none answers, keeps their data across runs, and stops them', async () => {
    expect(binaries.postgres && binaries.redisServer).toBeTruthy();
    const [pgPort, redisPort] = [await findFreePort(), await findFreePort()];
    const configured = { databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/exec_notify`, redisUrl: `redis://127.0.0.1:${redisPort}/2` };

    services = await ensureServices({ ...configured, dataDir, binaries, out });
    expect(services.started.map((s) => s.name)).toEqual(['postgres', 'redis']);
    expect(services.databaseUrl).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/exec_notify$/);
    expect(services.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+\/2$/);
    const admin = postgres(services.databaseUrl.replace(/\/exec_notify$/, '/postgres'), { max: 1, onnotice: () => undefined });
    await admin`create database kept_across_runs`;
    await admin.end();
    expect(await probeRedis(services.redisUrl!)).toEqual({ state: 'up' });
    const pids = services.started.map((s) => s.pid);
    await services.stop();
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);

    services = await ensureServices({ ...configured, dataDir, binaries, out });
    const again = postgres(services.databaseUrl.replace(/\/exec_notify$/, '/postgres'), { max: 1, onnotice: () => undefined });
    const rows = await again`select datname from pg_database where datname = 'kept_across_runs'`;
    await again.end();
    expect(rows).toHaveLength(1);
    expect(existsSync(path.join(dataDir, 'redis', 'appendonlydir')) || existsSync(path.join(dataDir, 'redis', 'appendonly.aof'))).toBe(true);
  }, 60_000);

  it('when a server is down and not installed, stops with one message giving the commands that get it', async () => {
    const port = await findFreePort();
    await expect(
      ensureServices({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/x`, redisUrl: REAL_REDIS, dataDir, binaries: {}, out }),
    ).rejects.toThrow(
      new RegExp(
        `^PostgreSQL \\(127\\.0\\.0\\.1:${port}\\) is not running, and not installed here[^\\n]*\\nGet them with either:\\n  sudo apt-get install -y postgresql redis-server .*\\n  docker compose up -d postgres redis .*$`,
      ),
    );
  });

  it('never starts a private server for a URL on another host, and reports a server that answers with an error', () => {
    const urls = { databaseUrl: REAL_PG, redisUrl: 'redis://cache.internal:6379' };
    expect(() => decidePrivateServers({ state: 'up' }, { state: 'down' }, urls, binaries)).toThrow(
      /^Redis at cache\.internal:6379 \(REDIS_URL\) did not answer; npm start only starts private servers for loopback URLs\.$/,
    );
    expect(() => decidePrivateServers({ state: 'error', message: 'password authentication failed' }, { state: 'up' }, urls, binaries)).toThrow(
      /^PostgreSQL at 127\.0\.0\.1:5432 \(DATABASE_URL\) answered with an error: password authentication failed$/,
    );
    expect(decidePrivateServers({ state: 'down' }, { state: 'up' }, urls, binaries)).toEqual({ postgres: true, redis: false });
  });
});
