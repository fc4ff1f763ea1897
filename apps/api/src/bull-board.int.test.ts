import { basicAuth, deletePrefixKeys, startOperatorHarness, type OperatorHarness } from './test-support/operator-harness';

/**
 * Bull Board's gate over plain HTTP (the browser test drives the UI itself),
 * and the queue-depth gauge on the api's /metrics.
 */
const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
let h: OperatorHarness;
let disabled: OperatorHarness;

beforeAll(async () => {
  h = await startOperatorHarness({ bullBoard: { user: USER, password: PASSWORD } });
  // Same data and queues, but no credentials configured.
  disabled = await startOperatorHarness({ db: h.db, prefix: h.prefix });
});
afterAll(async () => {
  await disabled.close();
  await h.close();
  await deletePrefixKeys(h.prefix);
});

describe('Bull Board at /admin/queues', () => {
  it('challenges a caller without credentials so a browser prompts', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/queues/static/favicon-32x32.png']) {
      const res = await h.call('GET', path);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="Bull Board", charset="UTF-8"');
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('refuses wrong credentials (401), a forged token (401) and a trader token (403)', async () => {
    for (const authorization of [basicAuth(USER, 'wrong'), basicAuth('admin', PASSWORD), basicAuth(USER, `${PASSWORD}x`), basicAuth('', ''), 'Basic !!!']) {
      expect((await h.call('GET', '/admin/queues/api/queues', { authorization })).status).toBe(401);
    }
    expect((await h.call('GET', '/admin/queues/api/queues', { token: 'a.b.c' })).status).toBe(401);
    const trader = await h.call('GET', '/admin/queues/api/queues', { token: await h.token('acc-1') });
    expect(trader.status).toBe(403);
    expect(trader.body.error.code).toBe('forbidden');
  });

  it('serves the dashboard and both queues with Basic credentials or an admin token', async () => {
    const page = await h.call('GET', '/admin/queues', { authorization: basicAuth(USER, PASSWORD) });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    for (const auth of [{ authorization: basicAuth(USER, PASSWORD) }, { token: await h.token('ops-admin', 'admin') }]) {
      const api = await h.call('GET', '/admin/queues/api/queues', auth);
      expect(api.status).toBe(200);
      expect(api.body.queues.map((q: { name: string }) => q.name).sort()).toEqual(['mail', 'outbox']);
    }
  });

  it('is disabled (404), never open, when no credentials are configured', async () => {
    for (const auth of [{}, { token: await disabled.token('ops-admin', 'admin') }, { authorization: basicAuth(USER, PASSWORD) }]) {
      const res = await disabled.call('GET', '/admin/queues/api/queues', auth);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('audit of changes made through Bull Board (CONTRACT section 5)', () => {
  const entries = async () =>
    h.db.sql<{ actor: string; action: string; target: string; params: { method: string } }[]>`
      select actor, action, target, params from audit_events where action like 'bull_board.%' order by id`;

  it('writes one entry per change, naming the actor (Basic user or token sub) and the queue or job; none for reads or refusals', async () => {
    await h.operator.queues.mail.add('execution.report.mail', { eventId: '7', generation: 1 }, { jobId: 'mail-7-g1', delay: 60_000 });
    const admin = await h.token('ops-admin', 'admin');
    const trader = await h.token('alice');
    const api = '/admin/queues/api/queues';

    // Reads, a refused change (trader token) and a failed one (unknown job) write nothing.
    expect((await h.call('GET', `${api}?activeQueue=mail&status=delayed`, { authorization: basicAuth(USER, PASSWORD) })).status).toBe(200);
    expect((await h.call('PUT', `${api}/mail/pause`, { token: trader })).status).toBe(403);
    expect((await h.call('PUT', `${api}/mail/no-such-job/promote`, { authorization: basicAuth(USER, PASSWORD) })).status).toBe(404);

    expect((await h.call('PUT', `${api}/mail/mail-7-g1/promote`, { authorization: basicAuth(USER, PASSWORD) })).status).toBe(204);
    expect((await h.call('PUT', `${api}/outbox/pause`, { token: admin })).status).toBe(200);
    expect((await h.call('PUT', `${api}/outbox/resume`, { token: admin })).status).toBe(200);
    // No wait: an entry is committed before the answer that reports the change leaves the api.
    expect((await entries()).map((e) => [e.actor, e.action, e.target, e.params.method])).toEqual([
      [USER, 'bull_board.job.promote', 'job:mail/mail-7-g1', 'PUT'],
      ['ops-admin', 'bull_board.queue.pause', 'queue:outbox', 'PUT'],
      ['ops-admin', 'bull_board.queue.resume', 'queue:outbox', 'PUT'],
    ]);
    // And they are in the audit log admins read.
    const listed = await h.call('GET', '/admin/audit?limit=3', { token: admin });
    expect(listed.body.entries.map((e: { target: string }) => e.target)).toEqual(['queue:outbox', 'queue:outbox', 'job:mail/mail-7-g1']);
  });
});

describe('GET /metrics', () => {
  it('exports BullMQ queue depths per queue and state, and none of the other processes’ metrics', async () => {
    await h.operator.queues.outbox.add('execution.report', { eventId: '1', generation: 1 }, { jobId: 'ev-1-g1' });
    await h.operator.queues.mail.add('execution.report.mail', { eventId: '1', generation: 1 }, { jobId: 'mail-1-g1', delay: 60_000 });
    const res = await h.call('GET', '/metrics');
    expect(res.status).toBe(200);
    const text = res.body as string;
    expect(text).toContain('bullmq_queue_jobs{queue="outbox",state="waiting"} 1');
    expect(text).toContain('bullmq_queue_jobs{queue="mail",state="delayed"} 1');
    for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) {
      expect(text).toContain(`bullmq_queue_jobs{queue="mail",state="${state}"}`);
    }
    // Served by the poller, workers and ws nodes, each its own (libs/observability/src/process-metrics.int.test.ts).
    for (const name of ['outbox_events_total', 'notification_errors_total', 'outbox_pending_events', 'outbox_oldest_pending_seconds', 'execution_report_dispatch_seconds', 'mail_sent_total', 'ws_connected_clients']) {
      expect(text).not.toContain(`# TYPE ${name} `);
    }
  });
});
