import type { ExecutionReport } from '@execn/contracts';
import { SessionTracker, describeResume, formatDelay } from './session-tracker';

const report = (seq: number) => ({ seq }) as ExecutionReport;

describe('SessionTracker', () => {
  it('calls the first connect\'s replay history, then live, and notes what a reconnect replayed', () => {
    const t = new SessionTracker();
    expect(t.status('connecting', 0)).toBeUndefined();
    t.status('resuming', 0);
    expect(t.report(report(1))).toBe('history');
    expect(t.status('live', 10)).toBeUndefined();
    expect(t.report(report(2))).toBe('live');

    t.status('reconnecting', 20);
    t.status('resuming', 30);
    expect([t.report(report(3)), t.report(report(4))]).toEqual(['replayed', 'replayed']);
    expect(t.status('live', 40)).toEqual({ at: 40, replayed: 2, fromSeq: 3, toSeq: 4 });
    expect(t.report(report(5))).toBe('live');
  });

  it('notes a reconnect that missed nothing, and a connection lost before it was ever live is still the first', () => {
    const t = new SessionTracker();
    t.status('resuming', 0);
    t.status('reconnecting', 1);
    t.status('resuming', 2);
    expect(t.report(report(1))).toBe('history');
    expect(t.status('live', 3)).toBeUndefined();
    t.status('reconnecting', 4);
    t.status('resuming', 5);
    const note = t.status('live', 6)!;
    expect(note).toEqual({ at: 6, replayed: 0 });
    expect(describeResume(note)).toMatch(/resumed: nothing was missed/);
    expect(describeResume({ at: 6, replayed: 3, fromSeq: 7, toSeq: 9 })).toMatch(/3 reports replayed \(seq 7-9\)/);
  });
});

describe('formatDelay', () => {
  it('reads in ms under a second, in seconds under a minute, then minutes', () => {
    expect([formatDelay(42), formatDelay(1_340), formatDelay(125_000)]).toEqual(['42 ms', '1.3 s', '2 min']);
  });
});
