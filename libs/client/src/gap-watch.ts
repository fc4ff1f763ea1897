import type { ExecutionReport } from '@execn/contracts';
import type { ReportSequencer, SeqGap } from './report-sequencer';

/** What `GapWatch` needs of the connection. */
export interface GapWatchOptions {
  /** How long a gap may wait for a late report before the watch asks for a resume. */
  graceMs: number;
  /** How long after a gap opened the watch gives up on it: reports it and moves past it. */
  timeoutMs: number;
  /** Whether a resume can be sent now (the socket is connected). */
  canResume: () => boolean;
  /** Whether a resume is in flight (its end calls `check()` again). */
  isResuming: () => boolean;
  /** Sends a resume to fill the gap. */
  resume: () => void;
  /** Hands reports on, in seq order (those after a skipped gap). */
  deliver: (reports: ExecutionReport[]) => void;
  onGap?: ((gap: SeqGap) => void) | undefined;
}

/**
 * The SDK's gap handling, on its own: a gap in the sequencer (a report that
 * arrived early, or a resume ack announcing more than arrived) waits `graceMs`
 * for the missing reports, then the watch asks for a resume; `timeoutMs` after
 * the gap opened it reports the gap through `onGap` and moves past it.
 */
export class GapWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the current gap was first seen (reset by a fresh connection). */
  private since: number | undefined;
  private stopped = false;
  /** While the connection crosses the replay horizon: a gap then is expected, and neither filled nor given up. */
  private held = false;

  constructor(
    private readonly sequencer: ReportSequencer,
    private readonly options: GapWatchOptions,
  ) {}

  /** Looks at the sequencer again: after a report arrived or a resume ended. */
  check(): void {
    if (this.held) return;
    const gap = this.sequencer.gap();
    if (!gap || this.stopped) {
      this.since = undefined;
      this.clearTimer();
      return;
    }
    const now = Date.now();
    this.since ??= now;
    if (now - this.since >= this.options.timeoutMs) {
      this.since = undefined;
      this.options.onGap?.(gap);
      this.options.deliver(this.sequencer.skipGap());
      this.check();
      return;
    }
    if (this.timer || this.options.isResuming()) return;
    const wait = Math.min(this.options.graceMs, this.options.timeoutMs - (now - this.since));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.sequencer.gap() && this.options.canResume()) this.options.resume();
      else this.check();
    }, wait);
  }

  /** A fresh connection gets a fresh chance to fill a gap before reporting it. */
  restart(): void {
    this.since = undefined;
  }

  /** Stops watching until `release()`: the history below the horizon is gone, and reports wait behind it. */
  hold(): void {
    this.held = true;
    this.since = undefined;
    this.clearTimer();
  }

  /** Watches again, with a fresh clock (the caller moved the sequencer past the horizon). */
  release(): void {
    this.held = false;
    this.since = undefined;
  }

  /** For good (the connection closed). */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
