/**
 * Port helpers: is a port free, and find free ones (for private PostgreSQL and
 * Redis instances, and for tests and `npm start` that run a whole stack).
 */
import net from 'node:net';

/** True when nothing listens on `port` at `host` (we could bind it ourselves). */
export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS reports free right now (bind to 0, read it, release it). */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `count` consecutive free ports (the stack numbers ws nodes and metrics
 * endpoints from a base port). Tries random bases in the unprivileged range.
 */
export async function findFreePortRun(count: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    let ok = true;
    for (let i = 0; i < count && ok; i++) ok = await isPortFree(base + i, host);
    if (ok) return base;
  }
  throw new Error(`no run of ${count} free ports found`);
}

// One definition of loopback for the stack runner and the config (SMTP_REQUIRE_TLS).
export { isLoopbackHost } from '@execn/config';
