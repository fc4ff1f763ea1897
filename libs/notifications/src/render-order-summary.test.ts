import type { ExecutionReport } from '@execn/contracts';
import { simpleParser } from 'mailparser';
import { buildReportMime } from './build-report-mime';
import { renderOrderSummaryMail } from './render-order-summary';

const base: ExecutionReport = {
  eventId: '1',
  seq: 1,
  execId: 'x',
  execType: 'trade',
  status: 'partially_filled',
  orderId: '6f1c1b7e-6a53-4f4c-9a3c-1c3d2f1e0a11',
  clientOrderId: '<b>"abc"</b>',
  accountId: 'acc-1',
  symbol: 'AAPL',
  side: 'sell',
  type: 'limit',
  timeInForce: 'GTC',
  price: '101.25',
  quantity: 30,
  lastQty: 10,
  lastPx: '101.25',
  tradeId: 't-1',
  cumQty: 10,
  leavesQty: 20,
  avgPx: '101.25',
  reason: null,
  transactTime: '2026-11-24T21:00:00.123Z',
};
const fills = [1, 2, 3].map((i) => ({
  ...base,
  eventId: String(100 + i),
  seq: i,
  tradeId: `t-${i}`,
  lastPx: `101.${i}`,
  cumQty: i * 10,
  leavesQty: 30 - i * 10,
  status: i === 3 ? ('filled' as const) : ('partially_filled' as const),
}));

describe('renderOrderSummaryMail', () => {
  it('lists every fill and the final state, escapes every value in the HTML', () => {
    const mail = renderOrderSummaryMail({ orderId: base.orderId, n: 1, reports: fills });
    expect(mail.subject).toBe('Order summary: SELL 30 AAPL @ 101.25: filled, 3 fills, avg 101.25');
    for (const f of fills) expect(mail.text).toMatch(new RegExp(`${f.transactTime} +10 +${f.lastPx} +${f.tradeId}`));
    expect(mail.text).toMatch(/Filled +30 of 30/);
    expect(mail.html).toContain('&lt;b&gt;&quot;abc&quot;&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>"abc"');
  });

  it('a summary carrying a hundred reports folds its X-Execution-Event-Ids header into short lines', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ ...fills[0]!, eventId: String(1_000_000 + i), seq: i + 1 }));
    const mail = renderOrderSummaryMail({ orderId: base.orderId, n: 2, reports: many });
    const raw = buildReportMime(mail, { from: 'x@exec.test', to: 'y@exec.test', messageId: '<order-1.2@exec.test>', eventIds: many.map((r) => r.eventId) });
    const headerLines = raw.split('\r\n').filter((l) => /^(X-Execution-Event-Ids: | )[\d, ]+$/.test(l));
    expect(headerLines.length).toBeGreaterThan(5);
    expect(Math.max(...headerLines.map((l) => l.length))).toBeLessThanOrEqual(78);
    const parsed = await simpleParser(raw);
    const header = String(parsed.headers.get('x-execution-event-ids'));
    expect(header.split(',').map((s) => s.trim())).toEqual(many.map((r) => r.eventId));
    expect(parsed.subject).toBe('Order summary: SELL 30 AAPL @ 101.25: partially_filled, 100 fills so far, avg 101.25');
  });
});
