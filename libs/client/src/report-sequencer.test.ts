import fc from 'fast-check';
import type { ExecutionReport } from '@execn/contracts';
import { ReportSequencer } from './report-sequencer';

const report = (seq: number): ExecutionReport => ({
  eventId: String(1000 + seq),
  seq,
  execId: `e${seq}`,
  execType: 'new',
  status: 'working',
  orderId: '00000000-0000-4000-8000-000000000001',
  clientOrderId: null,
  accountId: 'acc-1',
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  price: '1',
  quantity: 1,
  lastQty: null,
  lastPx: null,
  tradeId: null,
  cumQty: 0,
  leavesQty: 1,
  avgPx: null,
  reason: null,
  transactTime: '2026-01-01T00:00:00.000Z',
});
const seqs = (rs: ExecutionReport[]) => rs.map((r) => r.seq);

describe('ReportSequencer', () => {
  it('delivers in-order reports at once', () => {
    const s = new ReportSequencer();
    expect(seqs(s.accept(report(1)))).toEqual([1]);
    expect(seqs(s.accept(report(2)))).toEqual([2]);
    expect(s.lastSeq).toBe(2);
    expect(s.gap()).toBeNull();
  });

  it('drops duplicates, whether already delivered or already buffered', () => {
    const s = new ReportSequencer();
    s.accept(report(1));
    expect(s.accept(report(1))).toEqual([]);
    s.accept(report(3));
    expect(s.accept(report(3))).toEqual([]);
    expect(s.bufferedCount).toBe(1);
  });

  it('holds early reports until the gap is filled, then releases them in order', () => {
    const s = new ReportSequencer();
    expect(s.accept(report(3))).toEqual([]);
    expect(s.accept(report(2))).toEqual([]);
    expect(s.gap()).toEqual({ fromSeq: 1, toSeq: 1 });
    expect(seqs(s.accept(report(1)))).toEqual([1, 2, 3]);
    expect(s.gap()).toBeNull();
  });

  it('starts after the seq the application already has', () => {
    const s = new ReportSequencer(10);
    expect(s.accept(report(10))).toEqual([]);
    expect(seqs(s.accept(report(11)))).toEqual([11]);
  });

  it('sees a tail gap from an announced latest seq', () => {
    const s = new ReportSequencer(4);
    s.announce(7);
    expect(s.gap()).toEqual({ fromSeq: 5, toSeq: 7 });
    s.accept(report(5));
    s.accept(report(6));
    s.accept(report(7));
    expect(s.gap()).toBeNull();
  });

  it('skips a gap it gives up on and releases what waited behind it, up to the next gap', () => {
    const s = new ReportSequencer();
    s.accept(report(1));
    s.accept(report(4));
    s.accept(report(5));
    s.accept(report(8));
    expect(s.gap()).toEqual({ fromSeq: 2, toSeq: 3 });
    expect(seqs(s.skipGap())).toEqual([4, 5]);
    expect(s.gap()).toEqual({ fromSeq: 6, toSeq: 7 });
    expect(seqs(s.skipGap())).toEqual([8]);
    expect(s.gap()).toBeNull();
    expect(s.skipGap()).toEqual([]);
  });

  it('refuses a negative or fractional starting seq', () => {
    expect(() => new ReportSequencer(-1)).toThrow(RangeError);
    expect(() => new ReportSequencer(1.5)).toThrow(RangeError);
  });

  it('property: any arrival order with duplicates delivers 1..n exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.shuffledSubarray(
              Array.from({ length: n * 2 }, (_, i) => (i % n) + 1),
              { minLength: n * 2 },
            ),
          ),
        ),
        ([n, arrivals]) => {
          const s = new ReportSequencer();
          const out: number[] = [];
          for (const seq of arrivals) out.push(...seqs(s.accept(report(seq))));
          expect(out).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect(s.bufferedCount).toBe(0);
          expect(s.gap()).toBeNull();
        },
      ),
    );
  });

  it('skipTo moves past history the server no longer has: drops what waited below it, releases what follows', () => {
    const s = new ReportSequencer(2);
    for (const seq of [5, 7, 8]) expect(s.accept(report(seq))).toEqual([]);
    expect(s.gap()).toEqual({ fromSeq: 3, toSeq: 4 });
    // The horizon is 7: seqs 3-6 are gone; 5 (a straggler below it) is dropped, 7 and 8 are released.
    expect(seqs(s.skipTo(6))).toEqual([7, 8]);
    expect(s.lastSeq).toBe(8);
    expect(s.gap()).toBeNull();
    expect(s.bufferedCount).toBe(0);
    expect(s.skipTo(4)).toEqual([]);
    expect(s.lastSeq).toBe(8);
  });
});
