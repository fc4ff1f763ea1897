/**
 * Is PostgreSQL / Redis answering at a URL? "down" means nothing listens (so a
 * private instance may be started); a server that answers with an error (bad
 * password, TLS required...) is reported as such, never papered over.
 */
import net from 'node:net';
import tls from 'node:tls';
import postgres from 'postgres';
import { splitDatabaseUrl } from '@execn/db';

/** What a probe found. */
export type ProbeResult = { state: 'up' } | { state: 'down' } | { state: 'error'; message: string };

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'CONNECT_TIMEOUT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN']);

/** Connects to the server of `databaseUrl` (its maintenance database, which always exists) and runs `select 1`. */
export async function probePostgres(databaseUrl: string, timeoutSeconds = 3): Promise<ProbeResult> {
  const { adminUrl } = splitDatabaseUrl(databaseUrl);
  const sql = postgres(adminUrl, { max: 1, connect_timeout: timeoutSeconds, onnotice: () => undefined, idle_timeout: 1 });
  try {
    await sql`select 1`;
    return { state: 'up' };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (UNREACHABLE_CODES.has(code)) return { state: 'down' };
    return { state: 'error', message: (err as Error).message };
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/**
 * Sends a raw `PING` to the Redis of `redisUrl`. Any RESP answer means a Redis
 * listens there (`-NOAUTH` included: the apps authenticate with the URL's password).
 */
export async function probeRedis(redisUrl: string, timeoutMs = 3_000): Promise<ProbeResult> {
  const u = new URL(redisUrl);
  const port = Number(u.port || 6379);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = u.protocol === 'rediss:' ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ state: 'down' }), timeoutMs);
    socket.once(u.protocol === 'rediss:' ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => {
      const answer = chunk.toString('utf8');
      if (/^[+-]/.test(answer)) done({ state: 'up' });
      else done({ state: 'error', message: `unexpected answer to PING: ${JSON.stringify(answer.slice(0, 40))}` });
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done(UNREACHABLE_CODES.has(err.code ?? '') ? { state: 'down' } : { state: 'error', message: err.message }),
    );
  });
}
