/**
 * A private Redis for `npm start` when none is reachable: data under
 * .data/redis with append-only persistence and `noeviction` (BullMQ must never
 * lose a key to eviction), on a free loopback port, stopped with SIGTERM
 * (Redis flushes its AOF and exits).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findFreePort, isProcessAlive, startServerProcess, tailFile, waitForExit, probeRedis } from '@execn/testing';
import { StackError } from './stack-error';
import type { PrivateService, StackOutput } from './stack-output';

/** Options of `startPrivateRedis`. */
export interface PrivateRedisOptions {
  redisServer: string;
  /** e.g. `<repo>/.data/redis` */
  dataDir: string;
  out: StackOutput;
  /** @default a free port */
  port?: number;
}

async function stopLeftover(pidFile: string, out: StackOutput): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!pid || !isProcessAlive(pid, 'redis')) return;
  out.info('stack', `stopping a private Redis left running by an earlier run (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  if (!(await waitForExit(pid, 10_000))) process.kill(pid, 'SIGKILL');
}

/** Starts the private Redis and waits until it answers PING. */
export async function startPrivateRedis(options: PrivateRedisOptions): Promise<PrivateService> {
  const { dataDir, out } = options;
  mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(dataDir, 'redis.pid');
  const logFile = `${dataDir}.log`;
  await stopLeftover(pidFile, out);
  const port = options.port ?? (await findFreePort());
  const server = startServerProcess({
    command: options.redisServer,
    args: [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dataDir,
      '--pidfile', pidFile,
      '--daemonize', 'no',
      '--appendonly', 'yes',
      '--save', '',
      '--maxmemory-policy', 'noeviction',
    ],
    logFile,
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!server.isRunning()) throw new StackError(`the private Redis stopped at start; its log (${logFile}):\n${tailFile(logFile)}`);
    if ((await probeRedis(url, 500)).state === 'up') break;
    if (Date.now() > deadline) {
      await server.stop('SIGKILL', 1_000);
      throw new StackError(`the private Redis did not answer within 15 s; its log (${logFile}):\n${tailFile(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name: 'redis',
    url,
    pid: server.pid,
    logFile,
    stop: async () => {
      await server.stop('SIGTERM', 10_000);
    },
  };
}
