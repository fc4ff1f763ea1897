import net from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

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

/** One SMTP connection: one send at a time, dead after any connection-level error. */
export class PooledConnection {
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
      // Set by libs/config (SMTP_REQUIRE_TLS) for a relay off this machine: no STARTTLS, no mail.
      requireTLS: url.searchParams.get('requireTLS') === 'true',
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
