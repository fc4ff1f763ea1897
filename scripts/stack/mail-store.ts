/**
 * The mails the local sink received, numbered in arrival order and capped so a
 * long-running dev stack does not grow without bound.
 */
import type { SinkMail, SmtpSink } from '@execn/testing';

/** A received mail with its number. */
export interface StoredMail {
  id: number;
  mail: SinkMail;
}

/** A header value as text (mailparser gives strings, dates, address objects or structured values). */
export function headerText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toUTCString();
  if (typeof value === 'object' && 'text' in (value as object)) return String((value as { text: unknown }).text);
  if (typeof value === 'object' && 'value' in (value as object)) {
    const v = value as { value: unknown; params?: Record<string, string> };
    const params = Object.entries(v.params ?? {}).map(([k, p]) => `; ${k}=${p}`).join('');
    return `${String(v.value)}${params}`;
  }
  if (Array.isArray(value)) return value.map(headerText).join(', ');
  return JSON.stringify(value);
}

/** Keeps the last `capacity` mails of a sink. */
export class MailStore {
  private readonly items: StoredMail[] = [];
  private nextId = 1;
  private readonly unsubscribe: () => void;

  constructor(sink: SmtpSink, private readonly capacity = 500) {
    this.unsubscribe = sink.onMail((mail) => {
      this.items.push({ id: this.nextId++, mail });
      if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
      // The sink keeps its own copy of every mail; here the store is the one that counts.
      sink.mails.splice(0, sink.mails.length);
    });
  }

  /** Newest first. */
  list(): StoredMail[] {
    return [...this.items].reverse();
  }

  get(id: number): StoredMail | undefined {
    return this.items.find((m) => m.id === id);
  }

  get size(): number {
    return this.items.length;
  }

  close(): void {
    this.unsubscribe();
  }
}

/** The JSON summary of a mail (list API and tests). */
export function mailSummary({ id, mail }: StoredMail) {
  return {
    id,
    from: mail.from,
    to: mail.to,
    subject: mail.parsed.subject ?? '',
    messageId: mail.messageId ?? null,
    eventId: headerText(mail.headers.get('x-execution-event-id')) || null,
    receivedAt: mail.receivedAt.toISOString(),
  };
}
