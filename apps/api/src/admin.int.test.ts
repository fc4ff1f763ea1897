import { startApiHarness, type ApiHarness } from './test-support/api-harness';

let api: ApiHarness;
let admin: string;

async function auditCount(): Promise<number> {
  const [row] = await api.db.sql<{ n: number }[]>`select count(*)::int as n from audit_events`;
  return row!.n;
}

beforeAll(async () => {
  api = await startApiHarness();
  admin = await api.token('ops-1', 'admin');
});
afterAll(async () => api.close());

describe('admin accounts and instruments', () => {
  it('creates an account with an audit row; the same id again is 409 and audits nothing', async () => {
    const res = await api.call('POST', '/admin/accounts', { token: admin, body: { id: 'acc-1', email: 'a@example.test', name: 'A' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 'acc-1', email: 'a@example.test', name: 'A', createdAt: expect.any(String) });
    const before = await auditCount();
    const again = await api.call('POST', '/admin/accounts', { token: admin, body: { id: 'acc-1', email: 'b@example.test' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_exists');
    expect(await auditCount()).toBe(before);
    const [entry] = (await api.call('GET', '/admin/audit?limit=1', { token: admin })).body.entries;
    expect(entry).toMatchObject({ actor: 'ops-1', action: 'account.create', target: 'account:acc-1', params: { id: 'acc-1', email: 'a@example.test' } });
  });

  it('generates an account id when absent and refuses a bad email with 400', async () => {
    const res = await api.call('POST', '/admin/accounts', { token: admin, body: { email: 'gen@example.test' } });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^acc-/);
    const bad = await api.call('POST', '/admin/accounts', { token: admin, body: { email: 'nope', role: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'role']);
  });

  it('creates, refuses a duplicate, halts and resumes an instrument; halted orders are rejected', async () => {
    const created = await api.call('POST', '/admin/instruments', { token: admin, body: { symbol: 'AAPL', tickSize: '0.010' } });
    expect(created).toMatchObject({ status: 201, body: { symbol: 'AAPL', tickSize: '0.01', lotSize: 1, halted: false } });
    expect((await api.call('POST', '/admin/instruments', { token: admin, body: { symbol: 'AAPL', tickSize: '1' } })).status).toBe(409);
    const badTick = await api.call('POST', '/admin/instruments', { token: admin, body: { symbol: 'MSFT', tickSize: '0' } });
    expect(badTick.status).toBe(400);
    expect(badTick.body.error.details).toEqual([expect.objectContaining({ field: 'tickSize' })]);

    const halted = await api.call('PATCH', '/admin/instruments/AAPL', { token: admin, body: { halted: true } });
    expect(halted).toMatchObject({ status: 200, body: { symbol: 'AAPL', halted: true } });
    const trader = await api.token('acc-1');
    const order = await api.call('POST', '/v1/orders', {
      token: trader,
      body: { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 1, price: '1' },
    });
    expect(order.body.order).toMatchObject({ status: 'rejected', reason: 'instrument_halted' });
    expect((await api.call('PATCH', '/admin/instruments/AAPL', { token: admin, body: { halted: false } })).body.halted).toBe(false);

    const before = await auditCount();
    const unknown = await api.call('PATCH', '/admin/instruments/NOPE', { token: admin, body: { halted: true } });
    expect(unknown.status).toBe(404);
    expect((await api.call('PATCH', '/admin/instruments/AAPL', { token: admin, body: { halted: 'yes' } })).status).toBe(400);
    expect(await auditCount()).toBe(before);
  });

  it('pages the audit log newest first', async () => {
    const all: { id: string; action: string; target: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { entries: typeof all; nextCursor: string | null } } = await api.call(
        'GET',
        `/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      all.push(...page.body.entries);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(all.map((e) => `${e.action} ${e.target}`)).toEqual([
      'instrument.resume instrument:AAPL',
      'instrument.halt instrument:AAPL',
      'instrument.create instrument:AAPL',
      expect.stringMatching(/^account\.create account:acc-/),
      'account.create account:acc-1',
    ]);
    const ids = all.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });
});
