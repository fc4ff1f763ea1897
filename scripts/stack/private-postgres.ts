/**
 * A private PostgreSQL for `npm start` when none is reachable: a cluster under
 * .data/pg (initdb on first use, trust auth, superuser `postgres`), listening on
 * a free loopback port, stopped with a fast shutdown. PostgreSQL refuses to run
 * as root, so as root it runs as the `postgres` system user.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findFreePort, systemUser, type ServerBinaries, isProcessAlive, startServerProcess, tailFile, waitForExit, probePostgres } from '@execn/testing';
import { StackError } from './stack-error';
import type { PrivateService, StackOutput } from './stack-output';

/** Options of `startPrivatePostgres`. */
export interface PrivatePostgresOptions {
  binaries: NonNullable<ServerBinaries['postgres']>;
  /** The cluster's folder, e.g. `<repo>/.data/pg`. */
  dataDir: string;
  /** Database name to put in the returned URL (created later by the migration). */
  databaseName: string;
  out: StackOutput;
  /** @default a free port */
  port?: number;
}

function runAsFor(dataDir: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = systemUser('postgres');
  if (!user) {
    throw new StackError(
      'PostgreSQL refuses to run as root and this machine has no `postgres` user: run `npm start` as a normal user, or `sudo apt-get install postgresql` (which creates it).',
    );
  }
  const parent = path.dirname(dataDir);
  const probe = spawnSync('test', ['-x', parent], { uid: user.uid, gid: user.gid });
  if (probe.status !== 0) {
    throw new StackError(
      `the postgres system user cannot reach ${parent} (PostgreSQL refuses root, so the private instance runs as postgres): move the checkout somewhere readable, or run \`npm start\` as a normal user.`,
    );
  }
  return user;
}

/** Stops a postmaster a previous run left behind (e.g. `npm start` was SIGKILLed). */
async function stopLeftover(dataDir: string, out: StackOutput): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !isProcessAlive(pid, 'postgres')) return;
  out.info('stack', `stopping a private PostgreSQL left running by an earlier run (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15_000))) process.kill(pid, 'SIGKILL');
}

/** Starts (initialising it first when needed) the private cluster and waits until it answers. */
export async function startPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivateService> {
  const { binaries, dataDir, out } = options;
  // The parent stays traversable (0755): as root, the cluster belongs to the postgres user, which must reach it.
  mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  const runAs = runAsFor(dataDir);
  const logFile = `${dataDir}.log`;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    out.info('stack', `initialising a private PostgreSQL cluster in ${dataDir}`);
    const init = spawnSync(
      binaries.initdb,
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'],
      { encoding: 'utf8', ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
    );
    if (init.status !== 0) {
      throw new StackError(`initdb failed (${binaries.initdb}):\n${(init.stderr || init.stdout || String(init.error)).trim()}`);
    }
  }
  await stopLeftover(dataDir, out);

  const port = options.port ?? (await findFreePort());
  const server = startServerProcess({
    command: binaries.postgres,
    args: ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    logFile,
    ...(runAs ? { runAs } : {}),
  });
  const url = `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(options.databaseName)}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (!server.isRunning()) throw new StackError(`the private PostgreSQL stopped at start; its log (${logFile}):\n${tailFile(logFile)}`);
    if ((await probePostgres(url, 1)).state === 'up') break;
    if (Date.now() > deadline) {
      await server.stop('SIGQUIT', 5_000);
      throw new StackError(`the private PostgreSQL did not answer within 30 s; its log (${logFile}):\n${tailFile(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    name: 'postgres',
    url,
    pid: server.pid,
    logFile,
    // SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, a checkpoint is written.
    stop: async () => {
      await server.stop('SIGINT', 15_000);
    },
  };
}
