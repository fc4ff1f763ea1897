import nodemailer, { type Transporter } from 'nodemailer';

/** Options for `createMailTransport`. */
export interface MailTransportOptions {
  /** `smtp://host:port` or `smtps://…`. */
  smtpUrl: string;
  /** Connection, greeting and socket inactivity timeout, so a hung server fails an attempt quickly. */
  socketTimeoutMs: number;
  /** Pooled connections. @default 5 */
  maxConnections?: number;
}

/** A pooled nodemailer SMTP transport; close it with `transport.close()`. */
export function createMailTransport(options: MailTransportOptions): Transporter {
  const url = new URL(options.smtpUrl);
  const secure = url.protocol === 'smtps:';
  return nodemailer.createTransport({
    pool: true,
    maxConnections: options.maxConnections ?? 5,
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
