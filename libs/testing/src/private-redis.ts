import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** Options of `PrivateRedis`. */
export interface PrivateRedisOptions {
  /** @default 'redis-server' (from PATH) */
  redisServer?: string;
  /** @default 15_000 */
  startTimeoutMs?: number;
}

/** A port the OS reports free right now (bind to 0, read it, release it). */
async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A redis-server of a test's own, for faults a shared Redis must not see:
 * loopback, a free port, data in a temp dir with append-only persistence
 * (`appendonly yes`) and `noeviction`, as `npm start`'s private Redis runs.
 * `restart()` is a real restart: `SHUTDOWN` (Redis flushes its AOF and
 * exits), then the same binary on the same port and dir, which replays the AOF.
 */
export class PrivateRedis {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'execn-redis-'));
  port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: PrivateRedisOptions = {}) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (on a free port the first time, the same port after) and waits until it answers PING. */
  async start(): Promise<this> {
    if (this.child) return this;
    if (!this.port) this.port = await findFreePort();
    const logFile = path.join(this.dir, 'redis.log');
    const child = spawn(
      this.options.redisServer ?? 'redis-server',
      [
        '--port', String(this.port),
        '--bind', '127.0.0.1',
        '--dir', this.dir,
        '--daemonize', 'no',
        '--appendonly', 'yes',
        // Stricter than the default `everysec`: every write is on disk before its reply, so even a test that
        // SIGKILLs the server loses nothing a client saw acknowledged (SHUTDOWN flushes the AOF either way).
        '--appendfsync', 'always',
        '--save', '',
        '--maxmemory-policy', 'noeviction',
        '--logfile', logFile,
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    void this.exited.then(() => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 15_000);
    for (;;) {
      if (!this.child) throw new Error(`private redis-server exited at start:\n${this.log()}`);
      if (await this.answers()) return this;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`private redis-server did not answer PING in time:\n${this.log()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** `SHUTDOWN` (AOF flushed, clients dropped) and waits until the process is gone. */
  async shutdown(): Promise<void> {
    if (!this.child) return;
    const admin = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      // The server closes the connection instead of replying.
      await admin.call('SHUTDOWN').catch(() => undefined);
    } finally {
      admin.disconnect();
    }
    await this.exited;
  }

  /** Shutdown, then start again on the same port and dir (its AOF is replayed). */
  async restart(): Promise<void> {
    await this.shutdown();
    await this.start();
  }

  /** Stops the server (SIGKILL after 10 s) and deletes its dir. Safe to call twice. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      const child = this.child;
      if (child) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await this.exited;
        clearTimeout(timer);
      }
      rmSync(this.dir, { recursive: true, force: true });
    })());
  }

  /** The server's log, for failure messages. */
  log(): string {
    try {
      return readFileSync(path.join(this.dir, 'redis.log'), 'utf8').trimEnd().split('\n').slice(-20).join('\n');
    } catch {
      return '';
    }
  }

  private async answers(): Promise<boolean> {
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      // LOADING while the AOF replays: not ready yet.
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }
}
