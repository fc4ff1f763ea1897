import type { AddressInfo } from 'node:net';
import { createTestDatabase, EXPECTED_SECURITY_HEADERS, securityHeadersOf, uniquePrefix, type TestDatabase } from '@execn/testing';
import { startWsNode, type TestWsNode } from './test-support/ws-node';

/**
 * Issue 11 item 6 on a ws node: every HTTP answer (health, metrics, 404 and
 * Socket.IO's own) carries the security headers, and a node binds to loopback
 * unless told otherwise. Real node, Redis and PostgreSQL.
 */
let db: TestDatabase;
let node: TestWsNode;

beforeAll(async () => {
  db = await createTestDatabase({ max: 2 });
  node = await startWsNode(uniquePrefix('wshttp'), db);
});
afterAll(async () => {
  await node?.close();
  await db?.drop();
});

it.each([
  ['/healthz', 200],
  ['/metrics', 200],
  ['/nope', 404],
  ['/socket.io/?EIO=4&transport=polling', expect.any(Number)],
])('GET %s carries the security headers', async (path, status) => {
  const res = await fetch(`${node.url}${path}`);
  await res.text();
  expect(res.status).toEqual(status);
  expect(securityHeadersOf(res.headers)).toEqual(EXPECTED_SECURITY_HEADERS);
});

it('listens on 127.0.0.1 when no host is given (startWsNode gives none)', () => {
  expect((node.server.httpServer.address() as AddressInfo).address).toBe('127.0.0.1');
});
