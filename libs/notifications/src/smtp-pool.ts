import net from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/** Options for `SmtpPool`. */
export interface SmtpPoolOptions {
  /** `smtp://[user:pass@]host:port` or `smtps://…`. */
  smtpUrl: string;
  /** Connect, greeting and socket inactivity timeout of each connection. */
  socketTimeoutMs: number;
  /** Connections open at once. @default 10 */
  maxConnections?: number;
  /** Mails sent on one connection before it is replaced. @default 1000 */
  maxMessagesPerConnection?: number;
}

/** One message, already rendered to MIME. */
export interface OutgoingMail {
  from: string;
  to: string[];
  raw: string | Buffer;
}

/** The error of a send that did not finish by its deadline (its connection was torn down). */
export class SmtpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`mail send did not finish within ${timeoutMs} ms`);
    this.name = 'SmtpTimeoutError';
  }
}

/**
 * A small pool of SMTP connections that heals by itself.
 *
 * Why not nodemailer's `pool: true`: its queue is unbounded and outlives the
 * caller, and a message whose connection closes is requeued without limit. Under
 * load during an outage, sends that our jobs had already timed out on piled up
 * in it; once the server was back the pool was busy sending that stale backlog
 * (duplicates) while every new send timed out behind it, and mail never came
 * back until the process restarted. Here every send has a deadline covering
 * the wait for a connection, the connect and the SMTP conversation; a send that
 * misses it is removed from the wait queue or has its connection destroyed,
 * and is never sent later. Any connection-level failure also drops the idle
 * connections (they are likely dead too), so the next sends open fresh ones.
 * Connections are nodemailer's own `SMTPConnection` (a documented module), so
 * the SMTP dialogue, STARTTLS and AUTH are still nodemailer's.
 */
export class SmtpPool {
  private readonly idle: PooledConnection[] = [];
  private readonly waiters: Waiter[] = [];
  /** Connections open or opening, counted against `maxConnections`. */
  private slotsTaken = 0;
  private closed = false;
  private readonly url: URL;
  private readonly maxConnections: number;
  private readonly maxMessages: number;

  constructor(private readonly options: SmtpPoolOptions) {
    this.url = new URL(options.smtpUrl);
    this.maxConnections = options.maxConnections ?? 10;
    this.maxMessages = options.maxMessagesPerConnection ?? 1_000;
  }

  /** Connections open or opening (for tests and metrics). */
  get size(): number {
    return this.slotsTaken;
  }

  /**
   * Sends one message within `timeoutMs` (wait for a connection included).
   * Rejects with nodemailer's error (`responseCode` on SMTP replies) or an
   * `SmtpTimeoutError`; a rejected send was not accepted by the server as far
   * as this side knows.
   */
  async send(mail: OutgoingMail, timeoutMs: number): Promise<SMTPConnection.SentMessageInfo> {
    if (this.closed) throw Object.assign(new Error('SMTP pool is closed'), { code: 'ECLOSED' });
    const deadline = Date.now() + timeoutMs;
    const conn = await this.acquire(deadline, timeoutMs);
    try {
      const info = await conn.send(mail, deadline - Date.now(), timeoutMs);
      this.release(conn);
      return info;
    } catch (err) {
      // An SMTP reply (4xx/5xx) leaves the server reachable; anything else says the connection failed.
      const replied = typeof err === 'object' && err !== null && 'responseCode' in err;
      this.discard(conn, !replied);
      throw err;
    }
  }

  /** Closes every connection and fails the sends waiting for one. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.settle(Object.assign(new Error('SMTP pool is closed'), { code: 'ECLOSED' }));
    for (const c of this.idle.splice(0)) c.quit();
  }

  private async acquire(deadline: number, timeoutMs: number): Promise<PooledConnection> {
    for (;;) {
      const idle = this.idle.pop();
      if (idle) {
        if (idle.usable) return idle;
        this.slotsTaken--;
        continue;
      }
      if (this.slotsTaken < this.maxConnections) {
        this.slotsTaken++;
        return this.open(deadline, timeoutMs);
      }
      // Every slot is busy: wait for a released connection, or for a slot to free up (then loop and open one).
      const handed = await new Promise<PooledConnection | null>((resolve, reject) => {
        const waiter: Waiter = {
          settle: (result) => {
            clearTimeout(waiter.timer);
            if (result instanceof Error) reject(result);
            else resolve(result);
          },
          timer: setTimeout(() => {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            reject(new SmtpTimeoutError(timeoutMs));
          }, Math.max(0, deadline - Date.now())),
        };
        this.waiters.push(waiter);
      });
      if (handed) return handed;
    }
  }

  private async open(deadline: number, timeoutMs: number): Promise<PooledConnection> {
    try {
      return await PooledConnection.open(this.url, this.options.socketTimeoutMs, deadline - Date.now(), timeoutMs);
    } catch (err) {
      this.slotsTaken--;
      this.wakeWaiter();
      this.dropIdle();
      throw err;
    }
  }

  private release(conn: PooledConnection): void {
    if (this.closed || !conn.usable || conn.messages >= this.maxMessages) return this.discard(conn, false);
    const waiter = this.waiters.shift();
    if (waiter) waiter.settle(conn);
    else this.idle.push(conn);
  }

  private discard(conn: PooledConnection, connectionFailed: boolean): void {
    conn.quit();
    this.slotsTaken--;
    if (connectionFailed) this.dropIdle();
    this.wakeWaiter();
  }

  /** A slot is free: the oldest waiter may open a connection. */
  private wakeWaiter(): void {
    this.waiters.shift()?.settle(null);
  }

  /** After a connection-level failure the idle connections are likely dead too: replace them lazily. */
  private dropIdle(): void {
    for (const c of this.idle.splice(0)) {
      c.quit();
      this.slotsTaken--;
    }
  }
}

interface Waiter {
  settle(result: PooledConnection | null | Error): void;
  timer?: NodeJS.Timeout;
}

/** One SMTP connection: one send at a time, dead after any connection-level error. */
class PooledConnection {
  messages = 0;
  private dead = false;
  /** Fails the send in progress when the connection errors or ends under it. */
  private onFailure: ((err: Error) => void) | undefined;

  private constructor(private readonly connection: SMTPConnection) {
    connection.on('error', (err: Error) => this.fail(err));
    connection.on('end', () => this.fail(Object.assign(new Error('SMTP connection closed'), { code: 'ECONNECTION' })));
  }

  get usable(): boolean {
    return !this.dead;
  }

  static async open(url: URL, socketTimeoutMs: number, remainingMs: number, timeoutMs: number): Promise<PooledConnection> {
    const secure = url.protocol === 'smtps:';
    const host = url.hostname;
    const port = Number(url.port || (secure ? 465 : 25));
    const options: SMTPConnection.Options & { connection?: net.Socket } = {
      host,
      port,
      secure,
      // A local sink has no TLS; a real relay negotiates STARTTLS when it offers it.
      ignoreTLS: host === '127.0.0.1' || host === 'localhost',
      connectionTimeout: socketTimeoutMs,
      greetingTimeout: socketTimeoutMs,
      socketTimeout: socketTimeoutMs,
    };
    const pooled = await withDeadline<PooledConnection>(remainingMs, timeoutMs, async (setOnTimeout) => {
      // nodemailer streams a mail in many small writes; with Nagle on, each mail waits for the server's delayed
      // ACK (~40 ms), which capped a connection at ~20 mails/s. A plain connection is opened with TCP_NODELAY.
      if (!secure) options.connection = await connectNoDelay(host, port, setOnTimeout);
      const conn = new PooledConnection(new SMTPConnection(options));
      setOnTimeout(() => conn.destroy());
      await conn.run((done) => conn.connection.connect(() => done(null)));
      if (url.username && (conn.connection as SMTPConnection & { allowsAuth?: boolean }).allowsAuth) {
        const credentials = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
        await conn.run((done) => conn.connection.login({ credentials }, (err) => done(err ?? null)));
      }
      return conn;
    });
    return pooled;
  }

  async send(mail: OutgoingMail, remainingMs: number, timeoutMs: number): Promise<SMTPConnection.SentMessageInfo> {
    this.messages++;
    return withDeadline(remainingMs, timeoutMs, (setOnTimeout) => {
      setOnTimeout(() => this.destroy());
      return this.run<SMTPConnection.SentMessageInfo>((done) =>
        this.connection.send({ from: mail.from, to: mail.to }, mail.raw, (err, info) => done(err, info)),
      );
    });
  }

  /** Sends QUIT when the connection is healthy, else closes it at once. */
  quit(): void {
    if (this.dead) return this.connection.close();
    this.dead = true;
    this.connection.quit();
    // A server that never answers QUIT does not keep the socket open.
    setTimeout(() => this.connection.close(), 1_000).unref();
  }

  /** Tears the connection down at once (a stuck server is not waited on). */
  destroy(): void {
    this.dead = true;
    this.connection.close();
  }

  /** Runs one callback-style step, failing it if the connection dies first. */
  private run<T>(step: (done: (err: Error | null, value?: T) => void) => void): Promise<T> {
    if (this.dead) return Promise.reject(Object.assign(new Error('SMTP connection closed'), { code: 'ECONNECTION' }));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const done = (err: Error | null, value?: T) => {
        if (settled) return;
        settled = true;
        this.onFailure = undefined;
        if (err) reject(err);
        else resolve(value as T);
      };
      this.onFailure = (err) => done(err);
      step(done);
    });
  }

  private fail(err: Error): void {
    this.dead = true;
    this.onFailure?.(err);
  }
}

/** Runs `body` with a deadline; on expiry calls the registered cleanup and rejects with `SmtpTimeoutError`. */
function withDeadline<T>(
  remainingMs: number,
  timeoutMs: number,
  body: (setOnTimeout: (cleanup: () => void) => void) => Promise<T>,
): Promise<T> {
  let cleanup: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cleanup?.();
      reject(new SmtpTimeoutError(timeoutMs));
    }, Math.max(0, remainingMs));
  });
  const work = body((c) => (cleanup = c));
  // The loser of the race must not surface as an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Opens a TCP connection with TCP_NODELAY whose writes of one event-loop turn go out together. */
function connectNoDelay(host: string, port: number, setOnTimeout: (cleanup: () => void) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    setOnTimeout(() => socket.destroy());
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      coalesceWrites(socket);
      resolve(socket);
    });
  });
}

/**
 * With TCP_NODELAY every small write is its own syscall and packet. Corking the
 * socket at the first write of an event-loop turn and uncorking it at the end
 * sends that turn's writes in one go, without bringing Nagle's delay back.
 */
function coalesceWrites(socket: net.Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as typeof socket.write;
}
