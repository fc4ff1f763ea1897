import { Registry } from 'prom-client';
import { EXPECTED_SECURITY_HEADERS, securityHeadersOf } from '@execn/testing';
import { HEALTH_CHECK_TIMEOUT_MS, handleHealthRequest, startHealthServer } from './health-server';

const never = () => new Promise<boolean>(() => undefined);

describe('handleHealthRequest', () => {
  const registry = new Registry();

  it('answers /readyz 503 within the deadline when a dependency check never answers (a pool waiting on a database that is away)', async () => {
    const started = Date.now();
    const answer = await handleHealthRequest('/readyz', registry, { live: () => true, ready: never });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({ status: 'not_ready' });
    expect(Date.now() - started).toBeLessThan(HEALTH_CHECK_TIMEOUT_MS + 1_000);
  });

  it('answers /healthz 503 when the liveness check never answers or throws, 200 when it says true', async () => {
    expect((await handleHealthRequest('/healthz', registry, { live: never, ready: () => true })).status).toBe(503);
    const throwing = () => {
      throw new Error('boom');
    };
    expect((await handleHealthRequest('/healthz', registry, { live: throwing, ready: () => true })).status).toBe(503);
    expect((await handleHealthRequest('/healthz?x=1', registry, { live: () => true, ready: never })).status).toBe(200);
  });

  it('answers /readyz 200 when the check says true, and 404 on other paths', async () => {
    expect((await handleHealthRequest('/readyz', registry, { live: () => true, ready: async () => true })).status).toBe(200);
    expect((await handleHealthRequest('/other', registry, { live: () => true, ready: () => true })).status).toBe(404);
  });
});

describe('startHealthServer', () => {
  it('listens on loopback unless given a host, and answers with the security headers', async () => {
    const server = await startHealthServer(0, new Registry(), { live: () => true, ready: () => true });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(res.status).toBe(200);
      await res.text();
      expect(securityHeadersOf(res.headers)).toEqual(EXPECTED_SECURITY_HEADERS);
      expect(server.host).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });
});
