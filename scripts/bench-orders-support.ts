/**
 * Pieces of `scripts/bench-orders.ts`: the api child process, the HTTP load
 * loop (keep-alive, N connections), latency statistics and the pgbench
 * baseline. Not a test: it measures.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { cpuMs, postOrder } from './bench-common';

const run = promisify(execFile);

/** A running api child. */
export interface ApiChild {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the bundled api (`node <bundle>`) and waits for its "api listening" log line. */
export async function startApiChild(bundle: string, env: Record<string, string>): Promise<ApiChild> {
  // BENCH_API_NODE_ARGS (e.g. "--cpu-prof") profiles the api child.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, bundle], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (line.includes('"api listening"')) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve((JSON.parse(line) as { port: number }).port);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`api exited with ${code} before listening: ${stderr}`)));
  });
  return {
    port,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What one load run measured. */
export interface LoadResult {
  orders: number;
  errors: number;
  elapsedMs: number;
  latenciesMs: number[];
}

/**
 * Sends `total` orders over `connections` keep-alive connections, each
 * connection one request at a time (a closed loop, like N trading clients).
 */
export async function runLoad(
  port: number,
  connections: number,
  total: number,
  next: (i: number) => { token: string; body: string },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latenciesMs: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (issued < total) {
        const { token, body } = next(issued++);
        const t0 = performance.now();
        const status = await postOrder(agent, port, token, body);
        latenciesMs.push(performance.now() - t0);
        if (status !== 201) errors++;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { orders: total, errors, elapsedMs, latenciesMs };
}



/**
 * pgbench's TPS for one single-row INSERT per transaction (autocommit, fsync
 * on) at `clients` connections: the database's own ceiling for small durable
 * transactions on this machine, the yardstick for orders/s.
 */
export async function pgbenchInsertTps(databaseUrl: string, clients: number, seconds: number, scriptPath: string): Promise<number> {
  const { stdout } = await run('pgbench', [
    '-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-f', scriptPath, databaseUrl,
  ]);
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout) ?? /tps = ([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`cannot read pgbench output:\n${stdout}`);
  return Number(m[1]);
}

/** pg_test_fsync's fdatasync ops/s (the WAL flush PostgreSQL waits for at each commit), or null when unavailable. */
export async function fdatasyncOpsPerSecond(): Promise<number | null> {
  for (const bin of ['pg_test_fsync', '/usr/lib/postgresql/15/bin/pg_test_fsync', '/usr/lib/postgresql/16/bin/pg_test_fsync']) {
    try {
      const { stdout } = await run(bin, ['-s', '1', '-f', `/tmp/bench-orders-fsync-${process.pid}`]);
      const m = /fdatasync\s+([\d.]+) ops\/sec/.exec(stdout);
      return m ? Number(m[1]) : null;
    } catch {
      // try the next location
    }
  }
  return null;
}

/**
 * CPU seconds (user + system) used so far by these processes; gone ones count
 * 0. Unlike throughput, CPU per order hardly moves when other work shares the
 * machine, so it shows where the time goes.
 */
export function cpuSeconds(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + cpuMs(pid), 0) / 1000;
}
