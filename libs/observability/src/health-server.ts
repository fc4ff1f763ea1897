import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { applySecurityHeaders, securityHeaders } from './security-headers';
import { withDeadline } from './with-deadline';

/** What `/healthz` and `/readyz` consult. */
export interface HealthChecks {
  /** Alive and making progress; false makes `/healthz` answer 503. */
  live: () => boolean | Promise<boolean>;
  /** Dependencies answer (PostgreSQL, Redis); false makes `/readyz` answer 503. */
  ready: () => boolean | Promise<boolean>;
}

/**
 * Small HTTP server for processes without their own web server (poller, worker):
 * `/healthz`, `/readyz` and `/metrics` (Prometheus text), on `host` (the
 * `HOST` setting): loopback unless the operator opens it.
 */
export async function startHealthServer(
  port: number,
  registry: Registry,
  checks: HealthChecks,
  host = '127.0.0.1',
): Promise<{ host: string; port: number; close: () => Promise<void> }> {
  const headers = securityHeaders();
  const server = http.createServer((req, res) => {
    applySecurityHeaders(headers, req, res);
    void handleHealthRequest(req.url ?? '/', registry, checks).then(({ status, type, body }) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    host: (server.address() as AddressInfo).address,
    port: (server.address() as AddressInfo).port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * The longest a `/healthz` or `/readyz` check may take; past it the answer is
 * 503. A probe must answer within the orchestrator's timeout: a pool query
 * waiting on a connection to a database that is away, or an ioredis command
 * queued while Redis is down, would otherwise hold it (seen in CI: a worker's
 * `/readyz` did not answer while PostgreSQL was stopped).
 */
export const HEALTH_CHECK_TIMEOUT_MS = 2_000;

/** `check()`, or false when it rejects or has not answered within `ms`. */
function withinDeadline(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  return withDeadline(Promise.resolve().then(check).catch(() => false), ms, () => false);
}

/** Answers one of the three health paths; shared with the express apps and the ws nodes. */
export async function handleHealthRequest(
  url: string,
  registry: Registry,
  checks: HealthChecks,
): Promise<{ status: number; type: string; body: string }> {
  const path = url.split('?')[0];
  const json = 'application/json';
  try {
    if (path === '/healthz') {
      const ok = await withinDeadline(checks.live, HEALTH_CHECK_TIMEOUT_MS);
      return { status: ok ? 200 : 503, type: json, body: JSON.stringify({ status: ok ? 'ok' : 'stalled' }) };
    }
    if (path === '/readyz') {
      const ok = await withinDeadline(checks.ready, HEALTH_CHECK_TIMEOUT_MS);
      return { status: ok ? 200 : 503, type: json, body: JSON.stringify({ status: ok ? 'ready' : 'not_ready' }) };
    }
    if (path === '/metrics') {
      return { status: 200, type: registry.contentType, body: await registry.metrics() };
    }
  } catch {
    return { status: 503, type: json, body: JSON.stringify({ status: 'error' }) };
  }
  return { status: 404, type: json, body: JSON.stringify({ error: { code: 'not_found', message: 'Not found' } }) };
}
