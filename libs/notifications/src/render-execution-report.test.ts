import type { ExecutionReport } from '@execn/contracts';
import { simpleParser } from 'mailparser';
import { buildReportMime } from './build-report-mime';
import { renderExecutionReportMail, reportSubject } from './render-execution-report';

const report: ExecutionReport = {
  eventId: '1842',
  seq: 17,
  execId: 'x-1',
  execType: 'trade',
  status: 'partially_filled',
  orderId: '6f1c1b7e-6a53-4f4c-9a3c-1c3d2f1e0a11',
  clientOrderId: 'abc-<1>',
  accountId: 'acc-1',
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  price: '101.25',
  quantity: 100,
  lastQty: 40,
  lastPx: '101.25',
  tradeId: 't-1',
  cumQty: 40,
  leavesQty: 60,
  avgPx: '101.25',
  reason: null,
  transactTime: '2026-11-24T21:00:00.123Z',
};

describe('execution report mail', () => {
  it('names side, quantity, symbol, price (or MKT) and status in the subject', () => {
    expect(reportSubject(report)).toBe('BUY 100 AAPL @ 101.25: partially_filled');
    expect(reportSubject({ ...report, side: 'sell', type: 'market', price: null, quantity: 40 })).toBe('SELL 40 AAPL @ MKT: partially_filled');
  });

  it('renders the fill in text and escapes HTML', () => {
    const mail = renderExecutionReportMail(report);
    expect(mail.text).toContain('Last fill');
    expect(mail.text).toContain('40 @ 101.25');
    expect(mail.text).not.toContain('Reason');
    expect(mail.html).toContain('abc-&lt;1&gt;');
    expect(mail.html).not.toContain('abc-<1>');
  });
});

describe('report MIME message', () => {
  it('parses back to the same subject, parts and headers, non-ASCII included', async () => {
    const rendered = renderExecutionReportMail({ ...report, clientOrderId: 'ordre-été-✓' });
    const raw = buildReportMime(
      { ...rendered, subject: `${rendered.subject} é` },
      { from: 'Exécutions <executions@broker.example>', to: 'trader@example.test', messageId: '<1842.2@broker.example>', eventId: '1842' },
    );
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('BUY 100 AAPL @ 101.25: partially_filled é');
    expect(parsed.messageId).toBe('<1842.2@broker.example>');
    expect(parsed.headers.get('x-execution-event-id')).toBe('1842');
    expect(parsed.from?.value[0]).toEqual({ name: 'Exécutions', address: 'executions@broker.example' });
    expect(parsed.text).toBe(rendered.text);
    expect(parsed.html).toContain('ordre-été-✓');
  });
});
