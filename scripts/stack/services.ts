/**
 * Makes sure the stack has a PostgreSQL and a Redis: the ones at DATABASE_URL
 * and REDIS_URL when they answer; otherwise, for a loopback URL, private
 * instances under .data/ when the server programs are installed; otherwise one
 * message with the exact commands that get them.
 */
import path from 'node:path';
import { splitDatabaseUrl } from '@execn/db';
import { isLoopbackHost, type ServerBinaries, probePostgres, probeRedis, type ProbeResult } from '@execn/testing';
import { startPrivatePostgres } from './private-postgres';
import { startPrivateRedis } from './private-redis';
import { StackError } from './stack-error';
import type { PrivateService, StackOutput } from './stack-output';

/** Options of `ensureServices`. */
export interface EnsureServicesOptions {
  databaseUrl: string;
  /** Absent with a Redis Cluster (`REDIS_CLUSTER_URLS`): the operator runs it, nothing to probe or start. */
  redisUrl: string | undefined;
  /** Where private instances keep their data, e.g. `<repo>/.data`. */
  dataDir: string;
  binaries: ServerBinaries;
  out: StackOutput;
}

/** The URLs every process of the stack uses, and the private servers to stop at the end. */
export interface StackServices {
  databaseUrl: string;
  redisUrl: string | undefined;
  started: PrivateService[];
  /** Stops the private servers (none when the configured ones answered); safe to call twice. */
  stop(): Promise<void>;
}

const where = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)}`;
};

/** The one message printed when a server is down and cannot be started here. */
export function missingServicesMessage(missing: Array<'PostgreSQL' | 'Redis'>, databaseUrl: string, redisUrl: string): string {
  const down = missing.map((m) => `${m} (${where(m === 'PostgreSQL' ? databaseUrl : redisUrl)})`).join(' and ');
  return [
    `${down} ${missing.length > 1 ? 'are' : 'is'} not running, and not installed here, so npm start cannot start a private one.`,
    'Get them with either:',
    '  sudo apt-get install -y postgresql redis-server     # then: npm start   (private instances under ./.data, on free ports)',
    '  docker compose up -d postgres redis                 # then: DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/exec_notify npm start',
  ].join('\n');
}

/**
 * Decides, from what the probes found, which private servers to start; throws
 * the message to print when that cannot help (a remote server down, an error
 * answer, or nothing installed). Pure.
 */
export function decidePrivateServers(
  pg: ProbeResult,
  redis: ProbeResult,
  urls: { databaseUrl: string; redisUrl: string },
  binaries: ServerBinaries,
): { postgres: boolean; redis: boolean } {
  if (pg.state === 'error') throw new StackError(`PostgreSQL at ${where(urls.databaseUrl)} (DATABASE_URL) answered with an error: ${pg.message}`);
  if (redis.state === 'error') throw new StackError(`Redis at ${where(urls.redisUrl)} (REDIS_URL) answered with an error: ${redis.message}`);
  const remoteDown: string[] = [];
  if (pg.state === 'down' && !isLoopbackHost(new URL(urls.databaseUrl).hostname)) remoteDown.push(`PostgreSQL at ${where(urls.databaseUrl)} (DATABASE_URL)`);
  if (redis.state === 'down' && !isLoopbackHost(new URL(urls.redisUrl).hostname)) remoteDown.push(`Redis at ${where(urls.redisUrl)} (REDIS_URL)`);
  if (remoteDown.length) throw new StackError(`${remoteDown.join(' and ')} did not answer; npm start only starts private servers for loopback URLs.`);
  const missing: Array<'PostgreSQL' | 'Redis'> = [];
  if (pg.state === 'down' && !binaries.postgres) missing.push('PostgreSQL');
  if (redis.state === 'down' && !binaries.redisServer) missing.push('Redis');
  if (missing.length) throw new StackError(missingServicesMessage(missing, urls.databaseUrl, urls.redisUrl));
  return { postgres: pg.state === 'down', redis: redis.state === 'down' };
}

/** Resolves the database and Redis the stack will use, starting private ones if need be. */
export async function ensureServices(options: EnsureServicesOptions): Promise<StackServices> {
  const { out, binaries } = options;
  const [pg, redis] = await Promise.all([
    probePostgres(options.databaseUrl),
    options.redisUrl === undefined ? ({ state: 'up' } as const) : probeRedis(options.redisUrl),
  ]);
  const start = decidePrivateServers(pg, redis, { databaseUrl: options.databaseUrl, redisUrl: options.redisUrl ?? '' }, binaries);

  const started: PrivateService[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= Promise.all(
      started.map(async (s) => {
        await s.stop();
        out.info('stack', `stopped the private ${s.name}`);
      }),
    ).then(() => undefined));
  try {
    let databaseUrl = options.databaseUrl;
    let redisUrl = options.redisUrl;
    if (start.postgres) {
      out.info('stack', `PostgreSQL is not running at ${where(options.databaseUrl)}: starting a private one`);
      const { database } = splitDatabaseUrl(options.databaseUrl);
      const s = await startPrivatePostgres({ binaries: binaries.postgres!, dataDir: path.join(options.dataDir, 'pg'), databaseName: database, out });
      started.push(s);
      databaseUrl = s.url;
    }
    if (start.redis) {
      out.info('stack', `Redis is not running at ${where(options.redisUrl!)}: starting a private one`);
      const s = await startPrivateRedis({ redisServer: binaries.redisServer!, dataDir: path.join(options.dataDir, 'redis'), out });
      started.push(s);
      // Keep the configured db index: the apps honour `/N`.
      const dbIndex = new URL(options.redisUrl!).pathname;
      redisUrl = dbIndex && dbIndex !== '/' ? `${s.url}${dbIndex}` : s.url;
    }
    for (const s of started) out.info('stack', `private ${s.name} at ${s.url} (pid ${s.pid}, log ${s.logFile})`);
    return { databaseUrl, redisUrl, started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
