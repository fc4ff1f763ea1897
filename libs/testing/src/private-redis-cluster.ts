import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { findFreePort } from './ports';
import { tailFile } from './server-process';

const execFileAsync = promisify(execFile);

/** Options of `PrivateRedisCluster`. */
export interface PrivateRedisClusterOptions {
  /** Masters; each gets one replica. @default 3 */
  masters?: number;
  /**
   * `cluster-node-timeout`: how long a master may not answer before it is
   * failed over. Short, so a test's failover takes seconds, yet long enough
   * that a node starved of CPU on a busy machine is not failed over by mistake.
   * @default 2000
   */
  nodeTimeoutMs?: number;
  /** @default 'redis-server' and 'redis-cli' (from PATH) */
  redisServer?: string;
  redisCli?: string;
  /** @default 20_000 */
  startTimeoutMs?: number;
}

/** One redis-server of the cluster. */
export interface ClusterNodeProcess {
  port: number;
  url: string;
  dir: string;
  /** Undefined once the process has exited. */
  child: ChildProcess | undefined;
}

/**
 * A real Redis Cluster on loopback, from the installed `redis-server` and
 * `redis-cli`: three masters with one replica each (by default), free ports,
 * data in a temp dir (no persistence: a test's cluster lives seconds), made
 * with `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`.
 * `start()` resolves once every node sees every slot served and every replica
 * is in sync, so a failover can be tested at once.
 */
export class PrivateRedisCluster {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'execn-redis-cluster-'));
  readonly nodes: ClusterNodeProcess[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly options: PrivateRedisClusterOptions = {}) {}

  /** A process that dies without `close()` (a crash, a killed test run) takes its nodes with it. */
  private readonly killOnExit = () => {
    for (const node of this.nodes) node.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  /** Every node's URL: the seed list for `REDIS_CLUSTER_URLS`. */
  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  async start(): Promise<this> {
    const count = (this.options.masters ?? 3) * 2;
    for (let i = 0; i < count; i++) {
      const port = await findFreePort();
      const dir = path.join(this.dir, String(port));
      mkdirSync(dir);
      this.nodes.push({ port, dir, url: `redis://127.0.0.1:${port}`, child: undefined });
    }
    process.once('exit', this.killOnExit);
    for (const node of this.nodes) this.spawnNode(node);
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 20_000);
    await Promise.all(this.nodes.map((n) => this.waitUntil(deadline, `node ${n.port} answers`, () => answers(n.port))));
    try {
      await execFileAsync(this.options.redisCli ?? 'redis-cli', [
        '--cluster', 'create', ...this.nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas', '1', '--cluster-yes',
      ]);
    } catch (err) {
      throw new Error(`redis-cli --cluster create failed: ${(err as { stdout?: string }).stdout ?? ''} ${(err as Error).message}`);
    }
    await this.waitUntilHealthy(deadline);
    return this;
  }

  /** Resolves when every running node says `cluster_state:ok` and every running replica's link is up. */
  async waitUntilHealthy(deadline = Date.now() + 20_000): Promise<void> {
    await this.waitUntil(deadline, 'cluster healthy', async () => {
      for (const node of this.nodes.filter((n) => n.child)) {
        const info = await nodeCommand(node.port, 'INFO', 'replication').catch(() => '');
        const cluster = await nodeCommand(node.port, 'CLUSTER', 'INFO').catch(() => '');
        if (!String(cluster).includes('cluster_state:ok')) return false;
        if (String(info).includes('role:slave') && !String(info).includes('master_link_status:up')) return false;
      }
      // Every master's replica known to the cluster (gossip), so `shardOf` names it.
      const nodes = await clusterNodes(this.nodes.find((n) => n.child)!.port).catch(() => []);
      const masters = nodes.filter((n) => n.master === undefined && n.slots);
      return masters.length > 0 && masters.every((m) => nodes.some((n) => n.master === m.id && n.connected));
    });
  }

  /** The master serving `key`'s slot now, and its replicas (ports). */
  async shardOf(key: string): Promise<{ master: number; replicas: number[] }> {
    const live = this.nodes.find((n) => n.child)!;
    const slot = Number(await nodeCommand(live.port, 'CLUSTER', 'KEYSLOT', key));
    const nodes = await clusterNodes(live.port);
    const master = nodes.find((n) => n.master === undefined && n.slots.some(([from, to]) => slot >= from && slot <= to));
    if (!master) throw new Error(`no node serves slot ${slot}`);
    return { master: master.port, replicas: nodes.filter((n) => n.master === master.id).map((n) => n.port) };
  }

  /** One command on one node (e.g. `CLIENT LIST`), on a short-lived connection. */
  command(port: number, command: string, ...args: string[]): Promise<unknown> {
    return nodeCommand(port, command, ...args);
  }

  /** SIGKILLs a node (a crash: no goodbye to the cluster) and waits until it is gone. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    const child = node?.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Resolves once `port` (a replica) is a master and the cluster serves every slot again. */
  async waitForPromotion(port: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.waitUntil(deadline, `replica ${port} promoted`, async () =>
      String(await nodeCommand(port, 'INFO', 'replication').catch(() => '')).includes('role:master'),
    );
    await this.waitUntil(deadline, 'cluster_state:ok after the failover', async () => {
      for (const node of this.nodes.filter((n) => n.child)) {
        if (!String(await nodeCommand(node.port, 'CLUSTER', 'INFO').catch(() => '')).includes('cluster_state:ok')) return false;
      }
      return true;
    });
  }

  /** Stops every node (SIGKILL: nothing to keep) and deletes the data. Safe to call twice. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await Promise.all(this.nodes.map((n) => this.kill(n.port)));
      process.off('exit', this.killOnExit);
      rmSync(this.dir, { recursive: true, force: true });
    })());
  }

  /** The last lines of each node's log, for failure messages. */
  logs(): string {
    return this.nodes.map((n) => `--- ${n.port}\n${tailFile(path.join(n.dir, 'redis.log'), 8)}`).join('\n');
  }

  private spawnNode(node: ClusterNodeProcess): void {
    const child = spawn(
      this.options.redisServer ?? 'redis-server',
      [
        '--port', String(node.port),
        '--bind', '127.0.0.1',
        '--dir', node.dir,
        '--daemonize', 'no',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(this.options.nodeTimeoutMs ?? 2_000),
        '--appendonly', 'no',
        '--save', '',
        '--maxmemory-policy', 'noeviction',
        // A replica's first sync starts at once (Redis waits 5 s by default for more replicas to share it).
        '--repl-diskless-sync-delay', '0',
        // Replicas report their offset every second (default 10 s), so they are listed and electable at once.
        '--repl-ping-replica-period', '1',
        '--logfile', path.join(node.dir, 'redis.log'),
      ],
      { stdio: 'ignore' },
    );
    node.child = child;
    child.once('exit', () => {
      if (node.child === child) node.child = undefined;
    });
  }

  private async waitUntil(deadline: number, what: string, check: () => Promise<boolean>): Promise<void> {
    for (;;) {
      if (await check()) return;
      if (Date.now() > deadline) throw new Error(`redis cluster: timed out waiting for ${what}\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** One command on one node, on a short-lived connection (admin only; apps use `createRedisClient`). */
async function nodeCommand(port: number, command: string, ...args: string[]): Promise<unknown> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.call(command, ...args);
  } finally {
    redis.disconnect();
  }
}

/** `CLUSTER NODES` as seen by one node: id, port, master id (replicas), slot ranges, link. */
async function clusterNodes(port: number): Promise<Array<{ id: string; port: number; master: string | undefined; slots: Array<[number, number]>; connected: boolean }>> {
  const text = String(await nodeCommand(port, 'CLUSTER', 'NODES'));
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [id, address, flags, master, , , , link, ...slots] = line.split(' ');
      return {
        id: id!,
        port: Number(/:(\d+)@/.exec(address!)?.[1]),
        master: master === '-' || flags!.includes('master') ? undefined : master,
        slots: slots.filter((s) => /^\d/.test(s)).map((s) => {
          const [from, to] = s.split('-').map(Number);
          return [from!, to ?? from!] as [number, number];
        }),
        connected: link === 'connected' && !flags!.includes('fail'),
      };
    });
}

async function answers(port: number): Promise<boolean> {
  return (await nodeCommand(port, 'PING').catch(() => '')) === 'PONG';
}
