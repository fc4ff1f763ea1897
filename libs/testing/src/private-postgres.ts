/**
 * A private PostgreSQL cluster: initdb on first use (trust auth, superuser
 * `postgres`), listening on one loopback port only, stopped with a fast
 * shutdown. `npm start` keeps one under .data/pg when no server answers; tests
 * start one in a temp dir to stop and restart it under load. PostgreSQL
 * refuses to run as root, so as root it runs as the `postgres` system user.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from './ports';
import { findServerBinaries, systemUser, type ServerBinaries } from './server-binaries';
import { isProcessAlive, startServerProcess, tailFile, waitForExit, type ServerProcess } from './server-process';
import { probePostgres } from './service-probes';

/** A problem starting the private server; its message is complete and meant for a person. */
export class PrivateServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivateServerError';
  }
}

/** Options of `PrivatePostgres.start`. */
export interface PrivatePostgresOptions {
  /** @default the newest installed (see `findServerBinaries`) */
  binaries?: NonNullable<ServerBinaries['postgres']>;
  /** The cluster's folder, kept by `close()`. @default a fresh temp dir, removed by `close()` */
  dataDir?: string;
  /** @default a free loopback port */
  port?: number;
  /** Extra server settings (`name=value`, passed as `-c`), e.g. `fsync=off` for tests. */
  settings?: string[];
  /** Progress lines (initdb, a leftover postmaster stopped). @default none */
  onInfo?: (message: string) => void;
  /** How long a start may take before it fails. @default 30_000 */
  startTimeoutMs?: number;
}

/** The user to run PostgreSQL as: the `postgres` system user when we are root, else ourselves. */
function runAsFor(dataDir: string): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = systemUser('postgres');
  if (!user) {
    throw new PrivateServerError(
      'PostgreSQL refuses to run as root and this machine has no `postgres` user: run as a normal user, or `sudo apt-get install postgresql` (which creates it).',
    );
  }
  const parent = path.dirname(dataDir);
  const probe = spawnSync('test', ['-x', parent], { uid: user.uid, gid: user.gid });
  if (probe.status !== 0) {
    throw new PrivateServerError(
      `the postgres system user cannot reach ${parent} (PostgreSQL refuses root, so the private instance runs as postgres): move the checkout somewhere readable, or run as a normal user.`,
    );
  }
  return user;
}

/**
 * One private PostgreSQL. `stop()` is a fast shutdown (clients are
 * disconnected, a checkpoint is written); `start()` brings it back on the
 * same port and data dir, as a failover or a minor upgrade would; `close()`
 * stops it for good and removes a temp data dir. All are safe to repeat.
 */
export class PrivatePostgres {
  private server: ServerProcess | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly binaries: NonNullable<ServerBinaries['postgres']>,
    private readonly runAs: { uid: number; gid: number } | undefined,
    private readonly options: PrivatePostgresOptions,
  ) {}

  /** Initialises the cluster when needed, starts it and waits until it answers. */
  static async start(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const binaries = options.binaries ?? findServerBinaries(process.env.PATH ?? '').postgres;
    if (!binaries) throw new PrivateServerError('no PostgreSQL server programs (initdb, postgres) are installed here');
    let dataDir = options.dataDir;
    const ownsDataDir = dataDir === undefined;
    if (dataDir === undefined) {
      const parent = mkdtempSync(path.join(os.tmpdir(), 'execn-pg-'));
      // Traversable by the postgres user when we are root (mkdtemp makes it 0700).
      chmodSync(parent, 0o755);
      dataDir = path.join(parent, 'data');
    }
    // The parent stays traversable (0755): as root, the cluster belongs to the postgres user, which must reach it.
    mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    const runAs = runAsFor(dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      options.onInfo?.(`initialising a private PostgreSQL cluster in ${dataDir}`);
      const init = spawnSync(
        binaries.initdb,
        ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync'],
        { encoding: 'utf8', ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) },
      );
      if (init.status !== 0) {
        throw new PrivateServerError(`initdb failed (${binaries.initdb}):\n${(init.stderr || init.stdout || String(init.error)).trim()}`);
      }
    }
    const pg = new PrivatePostgres(options.port ?? (await findFreePort()), dataDir, ownsDataDir, binaries, runAs, options);
    await pg.stopLeftover();
    try {
      await pg.start();
    } catch (err) {
      await pg.close();
      throw err;
    }
    return pg;
  }

  /** The server's log (appended across restarts). */
  get logFile(): string {
    return `${this.dataDir}.log`;
  }

  /** The postmaster's pid, or -1 while stopped. */
  get pid(): number {
    return this.server?.isRunning() ? this.server.pid : -1;
  }

  /** A URL of this server for `database`. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  /** Starts the server (again) on the same port and data dir; resolves once it answers. */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(new PrivateServerError('the private PostgreSQL was closed'));
    if (this.server?.isRunning()) return this.starting ?? Promise.resolve();
    this.starting = this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Fast shutdown (SIGINT): clients are disconnected, a checkpoint is written. Forced after 15 s. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const server = this.server;
    if (!server) return;
    await server.stop('SIGINT', 15_000);
    if (this.server === server) this.server = undefined;
  }

  /** `stop()` then `start()`. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server for good and removes the temp data dir it made; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.stop();
      if (this.ownsDataDir) rmSync(path.dirname(this.dataDir), { recursive: true, force: true });
    })();
    return this.closing;
  }

  private async launch(): Promise<void> {
    const settings = ['listen_addresses=127.0.0.1', 'unix_socket_directories=', 'max_connections=200', ...(this.options.settings ?? [])];
    const server = startServerProcess({
      command: this.binaries.postgres,
      args: ['-D', this.dataDir, '-p', String(this.port), ...settings.flatMap((s) => ['-c', s])],
      logFile: this.logFile,
      ...(this.runAs ? { runAs: this.runAs } : {}),
    });
    this.server = server;
    const timeoutMs = this.options.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!server.isRunning()) {
        throw new PrivateServerError(`the private PostgreSQL stopped at start; its log (${this.logFile}):\n${tailFile(this.logFile)}`);
      }
      if ((await probePostgres(this.url(), 1)).state === 'up') return;
      if (Date.now() > deadline) {
        await server.stop('SIGQUIT', 5_000);
        throw new PrivateServerError(
          `the private PostgreSQL did not answer within ${timeoutMs / 1000} s; its log (${this.logFile}):\n${tailFile(this.logFile)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops a postmaster an earlier run left behind in this data dir (e.g. `npm start` was SIGKILLed). */
  private async stopLeftover(): Promise<void> {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!pid || !isProcessAlive(pid, 'postgres')) return;
    this.options.onInfo?.(`stopping a private PostgreSQL left running by an earlier run (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) process.kill(pid, 'SIGKILL');
  }
}
