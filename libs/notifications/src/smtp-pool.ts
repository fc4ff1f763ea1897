import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { PooledConnection, SmtpTimeoutError, type OutgoingMail } from './pooled-smtp-connection';

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
