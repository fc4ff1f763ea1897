import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CspDirectives } from '@execn/observability';
import { TRADER_PAGE_HTML } from './page-html';

/** The page's one inline `<style>` block, allowed by its hash rather than by `'unsafe-inline'`. */
function inlineStyleHash(html: string): string {
  const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
  if (css === undefined) throw new Error('trader page: no inline <style> block to hash');
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}

/** The host the browser asked for (no port), when it is a plain host name or address; else undefined. */
function requestHost(req: IncomingMessage): string | undefined {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(host) ? host : undefined;
}

/** `http://h:p` → the sources a Socket.IO client reaches it by: polling (http) and the upgrade (ws). */
function socketSources(origin: string): string {
  const u = new URL(origin);
  const ws = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${u.origin} ${ws}//${u.host}`;
}

/**
 * The trader page's CSP: its own script (`page.js`) and inline style only,
 * `fetch` to its own origin (the REST api), and the ws nodes it is told about
 * (`wsUrls`; `:3001` means that port on the page's own host, named per request).
 * Nothing else loads, and no one may frame it.
 */
export function traderPageCsp(wsUrls: string[]): CspDirectives {
  const wsSources = wsUrls.map((url) =>
    url.startsWith(':')
      ? (req: IncomingMessage) => {
          const host = requestHost(req);
          if (host === undefined) return "'self'";
          return `${socketSources(`http://${host}${url}`)} ${socketSources(`https://${host}${url}`)}`;
        }
      : socketSources(url),
  );
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': [inlineStyleHash(TRADER_PAGE_HTML)],
    'connect-src': ["'self'", ...wsSources],
    'img-src': ["'self'", 'data:'],
    'form-action': ["'self'"],
  };
}
