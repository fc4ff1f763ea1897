import { startApiHarness, type ApiHarness } from './test-support/api-harness';

/** CONTRACT section 5: `GET/PUT /v1/notification-preferences`, the admin's read, the audit, the commit-time rule. */
describe('notification preferences', () => {
  let api: ApiHarness;
  let admin: string;
  let trader: string;

  beforeAll(async () => {
    api = await startApiHarness();
    admin = await api.token('ops-1', 'admin');
    trader = await api.token('pref-1');
    expect((await api.call('POST', '/admin/accounts', { token: admin, body: { id: 'pref-1', email: 'pref-1@example.test' } })).status).toBe(201);
    expect((await api.call('POST', '/admin/instruments', { token: admin, body: { symbol: 'AAPL', tickSize: '0.01' } })).status).toBe(201);
  });
  afterAll(async () => api.close());

  const audit = () => api.db.sql<{ actor: string; action: string; target: string; params: unknown }[]>`
    select actor, action, target, params from audit_events where action like 'notification_preferences.%' order by id`;
  const storedPreference = async () => (await api.db.sql<{ m: string }[]>`select mail_preference as m from accounts where id = 'pref-1'`)[0]!.m;

  it('reads every_report by default; a change is stored, answered, audited once, and the admin reads it', async () => {
    expect(await api.call('GET', '/v1/notification-preferences', { token: trader })).toEqual({ status: 200, body: { mail: 'every_report' } });
    expect(await api.call('PUT', '/v1/notification-preferences', { token: trader, body: { mail: 'order_summary' } })).toEqual({
      status: 200,
      body: { mail: 'order_summary' },
    });
    expect(await api.call('GET', '/v1/notification-preferences', { token: trader })).toEqual({ status: 200, body: { mail: 'order_summary' } });
    // The same value again changes nothing and writes no entry.
    expect((await api.call('PUT', '/v1/notification-preferences', { token: trader, body: { mail: 'order_summary' } })).status).toBe(200);
    expect(await audit()).toEqual([
      { actor: 'pref-1', action: 'notification_preferences.update', target: 'account:pref-1', params: { mail: 'order_summary', previous: 'every_report' } },
    ]);
    expect(await api.call('GET', '/admin/accounts/pref-1/notification-preferences', { token: admin })).toEqual({
      status: 200,
      body: { mail: 'order_summary' },
    });
  });

  it('refuses bad input with 400 naming the field and writes nothing; unknown accounts and roles are refused', async () => {
    const before = await storedPreference();
    for (const [body, field] of [
      [{ mail: 'daily' }, 'mail'],
      [{}, 'mail'],
      [{ mail: 'none', email: 'x' }, 'email'],
      [{ mail: null }, 'mail'],
    ] as const) {
      const res = await api.call('PUT', '/v1/notification-preferences', { token: trader, body });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field })] });
    }
    expect(await storedPreference()).toBe(before);
    expect(await audit()).toHaveLength(1);

    const ghost = await api.token('ghost');
    expect((await api.call('PUT', '/v1/notification-preferences', { token: ghost, body: { mail: 'none' } })).body.error.code).toBe('unknown_account');
    expect((await api.call('GET', '/admin/accounts/ghost/notification-preferences', { token: admin })).status).toBe(404);
    expect((await api.call('GET', '/admin/accounts/pref-1/notification-preferences', { token: trader })).status).toBe(403);
    expect((await api.call('GET', '/admin/accounts/bad%20id/notification-preferences', { token: admin })).body.error.details).toEqual([
      expect.objectContaining({ field: 'id' }),
    ]);
    expect((await api.call('GET', '/v1/notification-preferences', {})).status).toBe(401);
  });

  it('applies to the reports committed after the change: earlier reports keep the preference they were committed with', async () => {
    const place = async () =>
      (await api.call('POST', '/v1/orders', { token: trader, body: { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: 5, price: '10.00' } })).body;
    const modeOf = async (orderId: string) =>
      (await api.db.sql<{ m: string | null }[]>`select mail_mode as m from outbox_events where order_id = ${orderId} order by id`).map((r) => r.m);
    await api.call('PUT', '/v1/notification-preferences', { token: trader, body: { mail: 'none' } });
    const first = await place();
    await api.call('PUT', '/v1/notification-preferences', { token: trader, body: { mail: 'every_report' } });
    const cancelled = (await api.call('DELETE', `/v1/orders/${first.order.id}`, { token: trader })).body;
    const second = await place();
    expect(cancelled.reports).toHaveLength(1);
    expect(await modeOf(first.order.id)).toEqual(['none', 'every_report']);
    expect(await modeOf(second.order.id)).toEqual(['every_report']);
  });
});
