/**
 * Pieces of `scripts/bench-pipeline.ts`: bundling and starting the apps as
 * child processes, a counting SMTP sink (no parsing, so the sink costs little
 * CPU), CPU accounting from /proc, percentiles. Not a test: it measures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { SMTPServer } from 'smtp-server';
import postgres from 'postgres';
import { migrateDatabase, splitDatabaseUrl } from '@execn/db';
import { cpuMs } from './bench-common';

export const ROOT = path.resolve(__dirname, '..');

/** Bundles `apps/<app>/src/main.ts` like `npm run build`, into `outDir/<app>.js`. */
export async function bundleApps(apps: string[], outDir: string): Promise<Record<string, string>> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
  const out: Record<string, string> = {};
  await Promise.all(
    apps.map(async (app) => {
      out[app] = path.join(outDir, `${app}.js`);
      await build({
        entryPoints: [path.join(ROOT, 'apps', app, 'src', 'main.ts')],
        outfile: out[app],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external,
        nodePaths: [path.join(ROOT, 'node_modules')],
        logLevel: 'warning',
      });
    }),
  );
  return out;
}

/** A started child process. */
export interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The first capture group of the ready pattern (e.g. a port). */
  ready: string;
  output(): string;
  stop(): Promise<number | string>;
}

/** What the apps log once they are ready (the first capture group is the port, if any). */
export const WORKER_READY = /"msg":"worker started"()/;
export const POLLER_READY = /"msg":"poller started"()/;
export const WS_READY = /"port":(\d+),"msg":"ws node listening"/;
export const API_READY = /"port":(\d+)[^\n]*"msg":"api listening"/;

/** Spawns `node <script>` (a bundle, or a .ts file through tsx) and waits for `readyPattern` in its output. */
export async function startChild(name: string, script: string, env: Record<string, string>, readyPattern: RegExp, timeoutMs = 60_000): Promise<Child> {
  // BENCH_WORKER_NODE_ARGS="--cpu-prof" (or _POLLER_, _WS_, _API_) profiles that kind of child;
  // BENCH_WORKER_1_ENV="WORKER_QUEUES=outbox" sets variables of one child (to try other topologies).
  const key = `BENCH_${name.toUpperCase().replace(/\W/g, '_')}`;
  const nodeArgs = (process.env[`${key}_NODE_ARGS`] ?? '').split(' ').filter(Boolean);
  const extra = Object.fromEntries((process.env[`${key}_ENV`] ?? '').split(' ').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const args = [...nodeArgs, ...(script.endsWith('.ts') ? ['--import', 'tsx', script] : [script])];
  const started = await startProcess(name, process.execPath, args, { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), ...env, ...extra }, readyPattern, timeoutMs);
  // BENCH_WORKER_2_NICE=10 lowers one child's CPU priority (what the live path gains when mail yields).
  const nice = process.env[`${key}_NICE`];
  if (nice !== undefined && started.child.pid !== undefined) os.setPriority(started.child.pid, Number(nice));
  return started;
}

/**
 * Spawns any program and waits (at most `timeoutMs`, then kills it) for
 * `readyPattern` in its output. `stop()` sends SIGTERM, then SIGKILL 12 s later.
 */
export async function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, readyPattern: RegExp, timeoutMs = 60_000): Promise<Child> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)));
  child.once('error', (err) => (out += `\n${String(err)}`));
  let timer: NodeJS.Timeout | undefined;
  const ready = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      // Keep only the tail: a long run must not grow this without bound.
      out = (out + d.toString()).slice(-20_000);
      const m = readyPattern.exec(out);
      if (m) resolve(m[1] ?? '');
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${name} exited (${code}) before ready:\n${out}`)));
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready after ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
  }).finally(() => clearTimeout(timer));
  return {
    name,
    child,
    pid: child.pid!,
    ready,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 12_000);
        const code = await exited;
        clearTimeout(t);
        return code;
      }
      return exited;
    },
  };
}

/** A fresh, migrated database named `<base db>_<tag>_<time>` on the server of `baseUrl`; `drop()` removes it. */
export async function createBenchDatabase(baseUrl: string, tag: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const u = new URL(baseUrl);
  u.pathname = `/exec_notify_${tag}_${Date.now().toString(36)}`;
  const url = u.toString();
  await migrateDatabase(url);
  const { adminUrl, database } = splitDatabaseUrl(url);
  return {
    url,
    name: database,
    drop: async () => {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      try {
        await admin.unsafe(`drop database if exists "${database}" with (force)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}

/** Total CPU ms of every process whose command name is `comm` (e.g. postgres, redis-server). Includes other users' load. */
export function cpuMsByCommand(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name === comm || name.startsWith(`${comm}:`)) total += cpuMs(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}


/**
 * An SMTP server that only counts: it reads each message's header block for
 * `X-Execution-Event-Id` and records when the first copy of each event's mail
 * arrived. Parsing whole mails (as the test sink does) would cost the bench
 * process more CPU than the worker spends sending them.
 */
export class CountingSmtpSink {
  readonly firstArrival = new Map<string, number>();
  /** Called once per event, when the first copy of its mail has been accepted. */
  onFirstArrival: ((eventId: string, at: number) => void) | undefined;
  received = 0;
  private server: SMTPServer | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        let head = '';
        stream.on('data', (c: Buffer) => {
          if (head.length < 8_192) head += c.toString('latin1');
        });
        stream.on('end', () => {
          this.received++;
          const m = /^X-Execution-Event-Id:\s*(\d+)/im.exec(head);
          if (m && !this.firstArrival.has(m[1]!)) {
            const at = Date.now();
            this.firstArrival.set(m[1]!, at);
            this.onFirstArrival?.(m[1]!, at);
          }
          callback();
        });
      },
    });
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

/** CPU ms per process over a window: children by pid, this process, PostgreSQL and Redis (whole servers). */
export function cpuSnapshot(children: Child[]): Record<string, number> {
  const snap: Record<string, number> = {};
  for (const c of children) snap[c.name] = (snap[c.name] ?? 0) + cpuMs(c.pid);
  const self = process.cpuUsage();
  snap['bench (clients + smtp sink)'] = (self.user + self.system) / 1000;
  snap.postgres = cpuMsByCommand('postgres');
  snap['redis-server'] = cpuMsByCommand('redis-server');
  return snap;
}

export function cpuSplit(before: Record<string, number>, after: Record<string, number>, wallMs: number): Record<string, string> {
  const out: Record<string, string> = {};
  let total = 0;
  for (const k of Object.keys(after)) {
    const ms = after[k]! - (before[k] ?? 0);
    total += ms;
    out[k] = `${(ms / wallMs).toFixed(2)} cores`;
  }
  out.total = `${(total / wallMs).toFixed(2)} of ${os.cpus().length} cores`;
  return out;
}


