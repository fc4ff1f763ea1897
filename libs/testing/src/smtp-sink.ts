import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail the sink accepted, parsed. */
export interface SinkMail {
  from: string;
  to: string[];
  raw: string;
  parsed: ParsedMail;
  messageId: string | undefined;
  headers: Map<string, unknown>;
  receivedAt: Date;
}

/** Faults the sink can be told to inject, to test retries against a real SMTP conversation. */
export interface SinkFaults {
  /** Answer every RCPT/DATA with this code (e.g. 451 transient, 550 permanent) until cleared. */
  rejectWith?: { code: number; message: string };
  /** Answer RCPT for these addresses with their code (one recipient refused while the others are accepted). */
  rejectRecipients?: Record<string, { code: number; message: string }>;
  /** Accept connections and commands but never answer (no greeting, no reply to MAIL/RCPT/DATA) until cleared. */
  hang?: boolean;
  /** Drop the connection in the middle of DATA (after the first chunk of the message) until cleared. */
  dropInData?: boolean;
  /** Answer DATA only after this many milliseconds (a slow server). */
  dataDelayMs?: number;
}

/**
 * A real SMTP server on loopback that keeps what it receives. Used by tests and
 * by `npm start` as the local mail sink. It can refuse with a code, and it can
 * be stopped and started again on the same port to simulate an outage.
 */
export class SmtpSink {
  readonly mails: SinkMail[] = [];
  faults: SinkFaults = {};
  /**
   * Parse only the header block (no mailparser): for load tests, where parsing
   * every body would cost the test process more CPU than the system under test.
   * `parsed` then holds only `headers` and `messageId`.
   */
  headersOnly = false;
  private server: SMTPServer | undefined;
  private listeners: Array<(mail: SinkMail) => void> = [];
  port = 0;

  constructor(private readonly host = '127.0.0.1') {}

  async start(port = this.port): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      // A hung server: the callback is never called, so the client waits for an answer that never comes.
      onConnect: (_session, callback) => {
        if (!this.faults.hang) callback();
      },
      onMailFrom: (_address, _session, callback) => {
        if (!this.faults.hang) callback();
      },
      onRcptTo: (address, _session, callback) => {
        if (this.faults.hang) return;
        const f = this.faults.rejectWith ?? this.faults.rejectRecipients?.[address.address];
        if (f) {
          const err = new Error(f.message) as Error & { responseCode: number };
          err.responseCode = f.code;
          return callback(err);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        if (this.faults.dropInData) {
          stream.once('data', () => this.socketOf(session.id)?.destroy());
          stream.resume();
          return;
        }
        const hang = this.faults.hang;
        const delayMs = this.faults.dataDelayMs ?? 0;
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (hang) return;
          const raw = Buffer.concat(chunks).toString('utf8');
          void (this.headersOnly ? Promise.resolve(headersOnlyMail(raw)) : simpleParser(raw)).then(
            (parsed) => {
              const mail: SinkMail = {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
                raw,
                parsed,
                messageId: parsed.messageId,
                headers: parsed.headers as Map<string, unknown>,
                receivedAt: new Date(),
              };
              const accept = () => {
                this.mails.push(mail);
                for (const l of this.listeners) l(mail);
                callback();
              };
              if (delayMs > 0) setTimeout(accept, delayMs);
              else accept();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.listen(port, this.host, () => resolve());
      server.once('error', reject);
    });
    this.server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this.port;
  }

  /** The socket of one SMTP session (smtp-server keeps its connections in a set, not on the session). */
  private socketOf(sessionId: string): { destroy(): void } | undefined {
    const connections = (this.server as unknown as { connections?: Set<{ id: string; _socket?: { destroy(): void } }> })?.connections;
    for (const c of connections ?? []) if (c.id === sessionId) return c._socket;
    return undefined;
  }

  get url(): string {
    return `smtp://${this.host}:${this.port}`;
  }

  onMail(listener: (mail: SinkMail) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Stops listening and drops open connections (an outage); `start()` again reuses the port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // smtp-server would let open sessions run on for 30 s; a server that goes away drops them at once.
    const connections = (server as unknown as { connections?: Set<{ _socket?: { destroy(): void } }> }).connections;
    for (const c of connections ?? []) c._socket?.destroy();
    await closed;
  }
}

/** The header block of a raw message as a ParsedMail with only `headers` and `messageId` (lower-case names, unfolded values). */
function headersOnlyMail(raw: string): ParsedMail {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, unknown>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, messageId: headers.get('message-id') as string | undefined } as unknown as ParsedMail;
}
