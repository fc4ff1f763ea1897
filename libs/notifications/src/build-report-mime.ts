import type { RenderedReportMail } from './render-execution-report';

/** What goes into the headers of one report mail. */
export interface MimeHeaders {
  from: string;
  to: string;
  messageId: string;
  /** `X-Execution-Event-Id` of a report mail. */
  eventId?: string;
  /** `X-Execution-Event-Ids` of a summary mail: the events it carries. */
  eventIds?: string[];
  date?: Date;
}

const CRLF = '\r\n';
const isPrintableAscii = (v: string) => /^[\x20-\x7e]*$/.test(v);

/** RFC 2047 encoded-word (UTF-8, base64) for a header value that is not plain ASCII. */
function encodeHeaderValue(value: string): string {
  if (isPrintableAscii(value)) return value;
  // Encoded words are limited to 75 characters: split the UTF-8 bytes on character boundaries.
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** `Display Name <addr>` with a non-ASCII display name encoded; the address part is kept as is. */
function encodeAddress(value: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  if (!m) return value.trim();
  return m[1] ? `${encodeHeaderValue(m[1])} <${m[2]}>` : `<${m[2]}>`;
}

/** The bare address of `Display Name <addr>` (the SMTP envelope sender). */
export function envelopeAddress(value: string): string {
  return /<([^>]+)>/.exec(value)?.[1] ?? value.trim();
}

/**
 * A header's comma-separated list folded after its commas, so its lines stay within 78 characters (RFC 5322)
 * whatever the count; `name` is the header's name, which the first line also holds.
 */
function foldList(name: string, values: string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const v of values) {
    const item = line ? `, ${v}` : v;
    const room = (lines.length === 0 ? 76 - name.length - 2 : 75) - 1;
    if (line && line.length + item.length > room) {
      lines.push(`${line},`);
      line = v;
    } else line += item;
  }
  return `${name}: ${[...lines, line].join(`${CRLF} `)}`;
}

const base64Lines = (text: string) => Buffer.from(text, 'utf8').toString('base64').replace(/.{1,76}/g, (l) => `${l}${CRLF}`);

/**
 * Builds the whole MIME message (multipart/alternative, text then HTML, each
 * base64) as one string. nodemailer's MIME composer streams a mail through a
 * dozen transforms; composing it here costs a fraction of that CPU, which is
 * what mail throughput is bounded by on a small machine.
 */
export function buildReportMime(mail: RenderedReportMail, headers: MimeHeaders): string {
  const boundary = `----=_execn_${headers.messageId.replace(/[^A-Za-z0-9]/g, '')}`;
  return [
    `From: ${encodeAddress(headers.from)}`,
    `To: ${encodeAddress(headers.to)}`,
    `Subject: ${encodeHeaderValue(mail.subject)}`,
    `Date: ${(headers.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${headers.messageId}`,
    ...(headers.eventId === undefined ? [] : [`X-Execution-Event-Id: ${headers.eventId}`]),
    ...(headers.eventIds === undefined ? [] : [foldList('X-Execution-Event-Ids', headers.eventIds)]),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(mail.text) + `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(mail.html) + `--${boundary}--`,
    '',
  ].join(CRLF);
}
