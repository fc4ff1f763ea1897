/**
 * The local mail sink's web page: the list of received mails (newest first,
 * refreshing itself), one mail with its headers, text and HTML parts, its raw
 * source, and a JSON list for scripts. Loopback only: it shows whatever arrived.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { applySecurityHeaders, securityHeaders } from '@execn/observability';
import { headerText, mailSummary, type MailStore, type StoredMail } from './mail-store';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}
pre{background:#f8f8f8;padding:1rem;white-space:pre-wrap}iframe{width:100%;height:28rem;border:1px solid #ddd}a{color:#0550ae}`;

function page(title: string, body: string, refreshSeconds?: number): string {
  const refresh = refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${refresh}<title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function listPage(store: MailStore): string {
  const rows = store
    .list()
    .map(({ id, mail }) => {
      const s = mailSummary({ id, mail });
      return `<tr><td>${id}</td><td>${escape(s.receivedAt.slice(11, 23))}</td><td>${escape(s.to.join(', '))}</td><td><a href="/mails/${id}">${escape(s.subject || '(no subject)')}</a></td><td>${escape(s.eventId ?? '')}</td></tr>`;
    })
    .join('');
  const table = rows
    ? `<table><tr><th>#</th><th>received (UTC)</th><th>to</th><th>subject</th><th>event</th></tr>${rows}</table>`
    : '<p>No mail yet. Place two crossing orders and the execution reports arrive here.</p>';
  return page('Mail sink', `<h1>Mail sink</h1><p>${store.size} mail(s); this page refreshes every 3 s. <a href="/api/mails">JSON</a></p>${table}`, 3);
}

function mailPage({ id, mail }: StoredMail): string {
  const headers = [...mail.headers.entries()].map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(headerText(v))}</td></tr>`).join('');
  const html = typeof mail.parsed.html === 'string' ? mail.parsed.html : '';
  // The HTML part is shown in a sandboxed frame: no script runs, no style leaks into this page.
  const htmlPart = html ? `<iframe sandbox="" srcdoc="${escape(html)}" title="HTML part"></iframe>` : '<p>(no HTML part)</p>';
  return page(
    mail.parsed.subject ?? `Mail ${id}`,
    `<p><a href="/">&larr; all mails</a> · <a href="/mails/${id}/raw">raw source</a></p><h1>${escape(mail.parsed.subject ?? '(no subject)')}</h1>
<p>envelope: from ${escape(mail.from)} to ${escape(mail.to.join(', '))}, received ${escape(mail.receivedAt.toISOString())}</p>
<h2>HTML</h2>${htmlPart}<h2>Text</h2><pre>${escape(mail.parsed.text ?? '(no text part)')}</pre><h2>Headers</h2><table>${headers}</table>`,
  );
}

function route(store: MailStore, url: string): { status: number; type: string; body: string } {
  const path = url.split('?')[0]!;
  const html = 'text/html; charset=utf-8';
  if (path === '/') return { status: 200, type: html, body: listPage(store) };
  if (path === '/healthz' || path === '/readyz') return { status: 200, type: 'application/json', body: '{"status":"ok"}' };
  if (path === '/api/mails') return { status: 200, type: 'application/json', body: JSON.stringify({ mails: store.list().map(mailSummary) }) };
  const m = /^\/mails\/(\d+)(\/raw)?$/.exec(path);
  const stored = m ? store.get(Number(m[1])) : undefined;
  if (stored && m?.[2]) return { status: 200, type: 'text/plain; charset=utf-8', body: stored.mail.raw };
  if (stored) return { status: 200, type: html, body: mailPage(stored) };
  return { status: 404, type: html, body: page('Not found', '<p>No such mail. <a href="/">All mails</a></p>') };
}

/** A running mail page. */
export interface MailPage {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * No script at all; inline styles (this page's and, inherited by the sandboxed
 * `srcdoc` frame, the mail's own); images only from the mail itself (`data:`).
 */
const MAIL_PAGE_HEADERS = securityHeaders({
  'default-src': ["'none'"],
  'style-src': ["'unsafe-inline'"],
  'img-src': ['data:'],
  'frame-src': ["'self'"],
});

/** Serves the store on `host:port` (port 0: any free port). */
export async function startMailPage(store: MailStore, port: number, host = '127.0.0.1'): Promise<MailPage> {
  const server = http.createServer((req, res) => {
    applySecurityHeaders(MAIL_PAGE_HEADERS, req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const { status, type, body } = route(store, req.url ?? '/');
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
