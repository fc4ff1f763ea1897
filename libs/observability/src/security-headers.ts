import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/** A CSP directive's sources; a function is called per request (e.g. to name the page's own host). */
export type CspSources = Array<string | ((req: IncomingMessage, res: ServerResponse) => string)>;

/** Content-Security-Policy directives, kebab-case (`'script-src'`). */
export type CspDirectives = Record<string, CspSources>;

/**
 * The policy of every response that is data, not a page (JSON, Prometheus
 * text, Socket.IO): nothing may load from it and nothing may frame it.
 */
export const DATA_CSP: CspDirectives = { 'default-src': ["'none'"] };

/**
 * The project's one set of security headers, by `helmet`, for every HTTP
 * response any process serves: CSP (`csp` on top of `frame-ancestors 'none'`,
 * `base-uri 'none'`, `object-src 'none'`), `X-Content-Type-Options: nosniff`,
 * `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer` and helmet's
 * cross-origin headers. No HSTS: TLS ends at the operator's proxy, which owns
 * that decision (an HSTS header on plain-http localhost would be ignored or,
 * worse, stick to a name later served without TLS).
 *
 * Works as Express middleware and on a plain `http` server (see `applySecurityHeaders`).
 * A page sets its own, wider `csp` on its own routes: the later header wins.
 */
export function securityHeaders(csp: CspDirectives = DATA_CSP) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { 'frame-ancestors': ["'none'"], 'base-uri': ["'none'"], 'object-src': ["'none'"], ...csp },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}

/**
 * For a plain `http` server: sets the headers on `res` (helmet only calls
 * `setHeader`, synchronously), before the handler writes its head.
 */
export function applySecurityHeaders(
  headers: ReturnType<typeof securityHeaders>,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  headers(req, res, () => undefined);
}
