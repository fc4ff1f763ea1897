import type { ExecutionReport } from '@execn/contracts';
import { Blotter, isFinal } from './blotter';

const base: ExecutionReport = {
  eventId: '1',
  seq: 1,
  execId: 'x1',
  execType: 'new',
  status: 'working',
  orderId: 'o-1',
  clientOrderId: 'c-1',
  accountId: 'acc-1',
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  price: '101.25',
  quantity: 100,
  lastQty: null,
  lastPx: null,
  tradeId: null,
  cumQty: 0,
  leavesQty: 100,
  avgPx: null,
  reason: null,
  transactTime: '2026-01-01T00:00:00.000Z',
};

describe('Blotter', () => {
  it('updates an order from its reports: status, cumQty, leavesQty, avgPx', () => {
    const b = new Blotter();
    b.apply(base);
    b.apply({ ...base, seq: 2, execType: 'trade', status: 'partially_filled', lastQty: 40, lastPx: '101.25', cumQty: 40, leavesQty: 60, avgPx: '101.25' });
    const row = b.get('o-1')!;
    expect(row).toMatchObject({ status: 'partially_filled', cumQty: 40, leavesQty: 60, avgPx: '101.25', seq: 2 });
    expect(isFinal(row.status)).toBe(false);
  });

  it('ignores a report older than the one the row shows (HTTP response after the live feed)', () => {
    const b = new Blotter();
    expect(b.apply({ ...base, seq: 3, status: 'filled', cumQty: 100, leavesQty: 0, avgPx: '101' })).toBeDefined();
    expect(b.apply(base)).toBeUndefined();
    expect(b.get('o-1')!.status).toBe('filled');
    expect(isFinal('filled')).toBe(true);
  });

  it('lists the newest order first, rows keeping their place as they update', () => {
    const b = new Blotter();
    b.apply(base);
    b.apply({ ...base, seq: 2, orderId: 'o-2' });
    b.apply({ ...base, seq: 3, status: 'cancelled', leavesQty: 0 });
    expect(b.list().map((r) => r.orderId)).toEqual(['o-2', 'o-1']);
    b.clear();
    expect(b.list()).toEqual([]);
  });
});
