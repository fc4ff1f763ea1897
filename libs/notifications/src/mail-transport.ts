import net from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';

/** Options for `createMailTransport`. */
export interface MailTransportOptions {
  /** `smtp://host:port` or `smtps://…`. */
  smtpUrl: string;
  /** Connection, greeting and socket inactivity timeout, so a hung server fails an attempt quickly. */
  socketTimeoutMs: number;
  /** Pooled connections. @default 10 */
  maxConnections?: number;
}

/** A pooled nodemailer SMTP transport; close it with `transport.close()`. */
export function createMailTransport(options: MailTransportOptions): Transporter {
  const url = new URL(options.smtpUrl);
  const secure = url.protocol === 'smtps:';
  return nodemailer.createTransport({
    pool: true,
    maxConnections: options.maxConnections ?? 10,
    maxMessages: 1_000,
    host: url.hostname,
    port: Number(url.port || (secure ? 465 : 25)),
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local sink has no TLS; a real relay negotiates STARTTLS when it offers it.
    ignoreTLS: url.hostname === '127.0.0.1' || url.hostname === 'localhost',
    connectionTimeout: options.socketTimeoutMs,
    greetingTimeout: options.socketTimeoutMs,
    socketTimeout: options.socketTimeoutMs,
    // nodemailer writes pipelined commands in several small writes; with Nagle on, each mail then waits for
    // the server's delayed ACK (~40 ms), which capped a connection at ~20 mails/s. We open the socket with
    // TCP_NODELAY (and our own connect timeout) and hand it to nodemailer: 3x the mails per connection.
    ...(secure
      ? {}
      : {
          getSocket: (_opts: unknown, callback: (err: Error | null, socketOptions?: { connection: net.Socket }) => void) => {
            const socket = net.connect({ host: url.hostname, port: Number(url.port || 25), noDelay: true });
            coalesceWrites(socket);
            const timer = setTimeout(() => socket.destroy(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' })), options.socketTimeoutMs);
            const onError = (err: Error) => {
              clearTimeout(timer);
              callback(err);
            };
            socket.once('error', onError);
            socket.once('connect', () => {
              clearTimeout(timer);
              socket.off('error', onError);
              callback(null, { connection: socket });
            });
          },
        }),
  });
}

/** The host part of Message-IDs: the domain of `MAIL_FROM`, or `exec-notify`. */
export function messageIdHost(mailFrom: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom);
  return match?.[1] ?? 'exec-notify';
}

/** `<{eventId}.{generation}@host>`: stable across retries, so a resent mail is recognisable. */
export function reportMessageId(eventId: string, generation: number, mailFrom: string): string {
  return `<${eventId}.${generation}@${messageIdHost(mailFrom)}>`;
}

/**
 * With TCP_NODELAY every small write (nodemailer streams a mail in many
 * chunks) is its own syscall and packet. Corking the socket at the first write
 * of an event-loop turn and uncorking it at the end sends that turn's writes
 * in one go, without bringing Nagle's delay back.
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
