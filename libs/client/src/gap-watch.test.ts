import type { ExecutionReport } from '@execn/contracts';
import { GapWatch } from './gap-watch';
import { ReportSequencer, type SeqGap } from './report-sequencer';

const report = (seq: number) => ({ seq }) as ExecutionReport;

describe('GapWatch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const setup = (connected = true) => {
    const sequencer = new ReportSequencer();
    const delivered: number[] = [];
    const gaps: SeqGap[] = [];
    let resumes = 0;
    const watch = new GapWatch(sequencer, {
      graceMs: 50,
      timeoutMs: 400,
      canResume: () => connected,
      isResuming: () => false,
      resume: () => {
        resumes++;
        watch.check();
      },
      deliver: (rs) => delivered.push(...rs.map((r) => r.seq)),
      onGap: (g) => gaps.push(g),
    });
    const accept = (seq: number) => {
      delivered.push(...sequencer.accept(report(seq)).map((r) => r.seq));
      watch.check();
    };
    return { sequencer, watch, delivered, gaps, accept, resumes: () => resumes };
  };

  it('asks for a resume after the grace period, and nothing more once the gap is filled', () => {
    const t = setup();
    t.accept(1);
    t.accept(3);
    expect(t.delivered).toEqual([1]);
    jest.advanceTimersByTime(49);
    expect(t.resumes()).toBe(0);
    jest.advanceTimersByTime(1);
    expect(t.resumes()).toBe(1);
    t.accept(2);
    expect(t.delivered).toEqual([1, 2, 3]);
    jest.advanceTimersByTime(1_000);
    expect(t.resumes()).toBe(1);
    expect(t.gaps).toEqual([]);
  });

  it('reports a gap it cannot fill within the timeout and delivers past it', () => {
    const t = setup();
    t.accept(1);
    t.accept(5);
    jest.advanceTimersByTime(400);
    expect(t.gaps).toEqual([{ fromSeq: 2, toSeq: 4 }]);
    expect(t.delivered).toEqual([1, 5]);
    expect(t.resumes()).toBeGreaterThan(0);
  });

  it('without a connection it does not resume, and still gives up at the timeout', () => {
    const t = setup(false);
    t.accept(2);
    jest.advanceTimersByTime(400);
    expect(t.resumes()).toBe(0);
    expect(t.gaps).toEqual([{ fromSeq: 1, toSeq: 1 }]);
  });

  it('stopped, it neither resumes nor reports', () => {
    const t = setup();
    t.accept(3);
    t.watch.stop();
    jest.advanceTimersByTime(1_000);
    expect(t.resumes()).toBe(0);
    expect(t.gaps).toEqual([]);
  });
});
