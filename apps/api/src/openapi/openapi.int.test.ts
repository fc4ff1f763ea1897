import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import type { Express } from 'express';
import { callApi, type CallOptions } from '../test-support/call-api';
import { startApiHarness, type ApiHarness } from '../test-support/api-harness';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
/** Pages and their assets, not REST: not in the document. */
const PAGE_ROUTES = /^GET (\/openapi\.json|\/docs(\/.*)?)$/;

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** Every `METHOD /path` the Express app routes, with mounted routers' prefixes (Express 5's router stack). */
function servedRoutes(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as string[]).concat(layer.route.path);
        for (const p of paths) {
          for (const m of Object.keys(layer.route.methods)) out.add(`${m.toUpperCase()} ${(prefix + (p === '/' ? '' : p)) || '/'}`);
        }
      } else if (layer.handle.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...out].sort();
}

let api: ApiHarness;
let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
/** `METHOD /openapi/path status` of every answer checked against the document. */
const checked = new Set<string>();

/** Calls the api and validates the answer's body against the document's schema for that path, method and status. */
async function callChecked(method: string, docPath: string, url: string, opts: CallOptions = {}) {
  const res = await callApi(api.url, method, url, opts);
  const op = doc.paths[docPath]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${docPath} is not in the document`);
  if (!(String(res.status) in op.responses)) throw new Error(`${method} ${docPath} answered ${res.status}, not documented`);
  const pointer = ['paths', docPath, method.toLowerCase(), 'responses', String(res.status), 'content', res.headers.get('content-type')?.startsWith('text/plain') ? 'text/plain' : 'application/json', 'schema']
    .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
    .join('/');
  const validate = ajv.getSchema(`openapi.json#/${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  if (!validate(res.body)) throw new Error(`${method} ${url} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`);
  checked.add(`${method} ${docPath} ${res.status}`);
  return res;
}

beforeAll(async () => {
  api = await startApiHarness();
  const res = await fetch(`${api.url}/openapi.json`);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = await res.json();
  ajv.addSchema({ ...doc, $id: 'openapi.json' } as object);
});
afterAll(async () => api?.close());

describe('the OpenAPI document at /openapi.json', () => {
  it('passes redocly lint (recommended rules) with no error and no warning', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const cli = path.join(REPO_ROOT, 'node_modules/@redocly/cli/bin/cli.js');
      const run = await promisify(execFile)(process.execPath, [cli, 'lint', file, '--config', path.join(REPO_ROOT, 'redocly.yaml'), '--format', 'json'], {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
      const report = JSON.parse(run.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ message: string }> };
      expect(report.problems.map((p) => p.message)).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('documents every route the api serves, and nothing it does not', () => {
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`))
      .sort();
    const served = servedRoutes(api.app).filter((r) => !PAGE_ROUTES.test(r));
    expect(served).toEqual(documented);
  });

  it('every answer of a trader and an admin session matches its documented shape', async () => {
    await api.db.sql`insert into accounts (id, email) values ('oa-alice', 'a@example.test'), ('oa-bob', 'b@example.test')`;
    const alice = { token: await api.token('oa-alice') };
    const bob = { token: await api.token('oa-bob') };
    const admin = { token: await api.token('oa-admin', 'admin') };

    await callChecked('POST', '/admin/accounts', '/admin/accounts', { ...admin, body: { id: 'oa-carol', email: 'c@example.test', name: 'Carol' } });
    await callChecked('POST', '/admin/accounts', '/admin/accounts', { ...admin, body: { id: 'oa-carol', email: 'c@example.test' } }); // 409
    await callChecked('POST', '/admin/instruments', '/admin/instruments', { ...admin, body: { symbol: 'OAPI', tickSize: '0.01' } });
    await callChecked('POST', '/admin/instruments', '/admin/instruments', { ...alice, body: { symbol: 'OAPJ', tickSize: '0.01' } }); // 403
    await callChecked('PATCH', '/admin/instruments/{symbol}', '/admin/instruments/NOPE', { ...admin, body: { halted: true } }); // 404

    const order = { symbol: 'OAPI', type: 'limit', quantity: 10, price: '10.00' };
    const resting = await callChecked('POST', '/v1/orders', '/v1/orders', { ...alice, body: { ...order, side: 'sell', clientOrderId: 'oa-1' } });
    await callChecked('POST', '/v1/orders', '/v1/orders', { ...alice, body: { ...order, side: 'sell', clientOrderId: 'oa-1' } }); // 409
    await callChecked('POST', '/v1/orders', '/v1/orders', { ...bob, body: { ...order, side: 'buy', quantity: 4 } }); // a trade
    await callChecked('POST', '/v1/orders', '/v1/orders', { ...bob, body: { ...order, symbol: 'NOPE', side: 'buy' } }); // 201 rejected
    await callChecked('POST', '/v1/orders', '/v1/orders', { ...bob, body: { ...order, side: 'buy', price: 10 } }); // 400
    await callChecked('POST', '/v1/orders', '/v1/orders', { body: order }); // 401
    const id = resting.body.order.id as string;
    await callChecked('GET', '/v1/orders/{id}', `/v1/orders/${id}`, alice);
    await callChecked('GET', '/v1/orders/{id}', `/v1/orders/${id}`, bob); // 404
    await callChecked('GET', '/v1/orders/{id}', '/v1/orders/not-a-uuid', bob); // 400
    await callChecked('GET', '/v1/orders', '/v1/orders?limit=1', alice);
    await callChecked('GET', '/v1/execution-reports', '/v1/execution-reports?sinceSeq=1', alice);
    await callChecked('DELETE', '/v1/orders/{id}', `/v1/orders/${id}`, alice);
    await callChecked('DELETE', '/v1/orders/{id}', `/v1/orders/${id}`, alice); // 409
    await callChecked('GET', '/v1/notification-preferences', '/v1/notification-preferences', alice);
    await callChecked('PUT', '/v1/notification-preferences', '/v1/notification-preferences', { ...alice, body: { mail: 'order_summary' } });
    await callChecked('PUT', '/v1/notification-preferences', '/v1/notification-preferences', { ...alice, body: { mail: 'weekly' } }); // 400
    await callChecked('GET', '/admin/accounts/{id}/notification-preferences', '/admin/accounts/oa-alice/notification-preferences', admin);
    await callChecked('GET', '/admin/accounts/{id}/notification-preferences', '/admin/accounts/oa-nobody/notification-preferences', admin); // 404

    await callChecked('PATCH', '/admin/instruments/{symbol}', '/admin/instruments/OAPI', { ...admin, body: { halted: true } });
    const events = await callChecked('GET', '/admin/outbox', '/admin/outbox?limit=5', admin);
    const eventId = events.body.events[0].id as string;
    await api.db.sql`update outbox_events set status = 'processed' where id = ${eventId}`;
    await callChecked('GET', '/admin/outbox/{id}', `/admin/outbox/${eventId}`, admin);
    await callChecked('GET', '/admin/outbox/stats', '/admin/outbox/stats', admin);
    await callChecked('POST', '/admin/outbox/{id}/requeue', `/admin/outbox/${eventId}/requeue`, admin);
    await callChecked('POST', '/admin/outbox/{id}/requeue', `/admin/outbox/${eventId}/requeue`, admin); // 409
    await callChecked('POST', '/admin/outbox/requeue', '/admin/outbox/requeue', { ...admin, body: { status: 'failed' } });
    await callChecked('GET', '/admin/audit', '/admin/audit', admin);
    for (const p of ['/healthz', '/readyz', '/metrics']) await callChecked('GET', p, p);
  });
});

describe('the OpenAPI document: notification preferences (CONTRACT section 5)', () => {
  it('documents GET and PUT /v1/notification-preferences, and their answers match it', async () => {
    const carol = { token: (await api.traders('oa-carol-prefs'))[0]! };
    await callChecked('GET', '/v1/notification-preferences', '/v1/notification-preferences', carol);
    await callChecked('PUT', '/v1/notification-preferences', '/v1/notification-preferences', { ...carol, body: { mail: 'none' } });
    const refused = await callChecked('PUT', '/v1/notification-preferences', '/v1/notification-preferences', { ...carol, body: { mail: 'weekly' } });
    expect(refused.status).toBe(400);
  });
});

describe('the reference page at /docs', () => {
  it('serves Swagger UI and its assets from this origin', async () => {
    const page = await fetch(`${api.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      expect((await fetch(`${api.url}${src[1]}`)).status).toBe(200);
    }
  });
});

// Last: the tests above drove every documented operation to its success answer, which matched its schema.
it('every documented operation was driven to its success answer', () => {
  const missing = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.entries(ops)
      .map(([m, op]) => `${m.toUpperCase()} ${p} ${Object.keys(op.responses).find((s) => s.startsWith('2'))}`)
      .filter((key) => !checked.has(key)),
  );
  expect(missing).toEqual([]);
});
