import http from 'node:http';
import { EXPECTED_SECURITY_HEADERS, securityHeadersOf } from '@execn/testing';
import { basicAuth, deletePrefixKeys, startOperatorHarness, type OperatorHarness } from './test-support/operator-harness';

/**
 * Issue 11 item 6: every response of the api carries the security headers
 * (by helmet): JSON answers, errors, 404s, `/metrics`, and the two pages it
 * serves, each page with a CSP that allows what it loads and nothing else.
 * Real api (with Bull Board and the trader page), PostgreSQL and Redis.
 */
let h: OperatorHarness;
let trader: string;
const board = basicAuth('ops', 'correct horse battery staple');

beforeAll(async () => {
  h = await startOperatorHarness({
    bullBoard: { user: 'ops', password: 'correct horse battery staple' },
    traderPage: { wsUrls: [':3101', 'https://ws.example.com'] },
  });
  trader = await h.token('alice');
});
afterAll(async () => {
  await h.close();
  await deletePrefixKeys(h.prefix);
});

/** GET with a Host header of our choosing (fetch does not let a caller set it); resolves to the headers. */
function getWithHost(path: string, host: string): Promise<Headers> {
  return new Promise((resolve, reject) => {
    http
      .get(`${h.url}${path}`, { headers: { host } }, (res) => {
        res.resume();
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        res.on('end', () => resolve(headers));
      })
      .on('error', reject);
  });
}

/** CSP directives as a map (`script-src` → its sources). */
const cspOf = (headers: Headers) =>
  Object.fromEntries(
    (headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name, sources.join(' ')]),
  );

it.each([
  ['GET', '/v1/orders', 'trader', 200],
  ['GET', '/v1/orders', 'none', 401],
  ['POST', '/v1/orders', 'trader', 400],
  ['GET', '/nope', 'none', 404],
  ['GET', '/metrics', 'none', 200],
  ['GET', '/healthz', 'none', 200],
  ['GET', '/admin/queues/api/queues', 'board', 200],
])('%s %s (%s) → %i carries the data policy', async (method, path, who, status) => {
  const res = await h.call(method, path, who === 'trader' ? { token: trader, body: method === 'POST' ? {} : undefined } : who === 'board' ? { authorization: board } : {});
  expect(res.status).toBe(status);
  expect(securityHeadersOf(res.headers)).toEqual(EXPECTED_SECURITY_HEADERS);
});

it('serves the trader page with its own policy: its script, its inline style by hash, its api and ws nodes', async () => {
  const headers = await getWithHost('/', 'trader.example.com:8080');
  expect(headers.get('content-type')).toMatch(/^text\/html/);
  expect(securityHeadersOf(headers)).toEqual(EXPECTED_SECURITY_HEADERS);
  expect(cspOf(headers)).toMatchObject({
    'script-src': "'self'",
    'style-src': expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/),
    'connect-src':
      "'self' http://trader.example.com:3101 ws://trader.example.com:3101 https://trader.example.com:3101 wss://trader.example.com:3101 https://ws.example.com wss://ws.example.com",
  });
  // A Host header that is not a plain host name is never copied into the policy.
  const odd = await getWithHost('/', 'a;b');
  expect(cspOf(odd)['connect-src']).toBe("'self' 'self' https://ws.example.com wss://ws.example.com");
});

it('serves Bull Board with a policy that lets its UI load', async () => {
  const res = await h.call('GET', '/admin/queues', { authorization: board });
  expect(res.status).toBe(200);
  expect(securityHeadersOf(res.headers)).toEqual(EXPECTED_SECURITY_HEADERS);
  expect(cspOf(res.headers)).toMatchObject({ 'script-src': "'self'", 'connect-src': "'self'" });
});
