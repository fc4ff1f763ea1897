import type { ExecutionReport } from '@execn/contracts';

/** A range of seqs the client knows exist but has not received (inclusive). */
export interface SeqGap {
  fromSeq: number;
  toSeq: number;
}

/**
 * The pure ordering core of the SDK: it turns reports arriving in any order,
 * possibly twice (a live broadcast racing a resume replay, a requeued event,
 * two rooms), into the account's reports exactly once and in seq order.
 *
 * - a report at or below the last delivered seq is a duplicate and dropped;
 * - a report past the next expected seq waits in a reorder buffer;
 * - `gap()` says what is missing: the seqs between the last delivered one and
 *   the first buffered one, or up to the latest seq the server announced;
 * - `skipGap()` gives up on the current gap (after the caller failed to fill
 *   it) and releases what was waiting behind it.
 *
 * No I/O, no clock: timers and resumes live in `connectTrader`.
 */
export class ReportSequencer {
  private delivered: number;
  private announced: number;
  private readonly buffer = new Map<number, ExecutionReport>();

  /** @param lastSeq the seq the application already has (0 = none) */
  constructor(lastSeq = 0) {
    if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) throw new RangeError(`invalid lastSeq ${lastSeq}`);
    this.delivered = lastSeq;
    this.announced = lastSeq;
  }

  /** The seq of the last report handed to the application. */
  get lastSeq(): number {
    return this.delivered;
  }

  /** Reports waiting behind a gap. */
  get bufferedCount(): number {
    return this.buffer.size;
  }

  /**
   * Takes one report; returns the reports that can now be handed to the
   * application, in seq order (empty for a duplicate or an early one).
   */
  accept(report: ExecutionReport): ExecutionReport[] {
    const seq = report.seq;
    if (!Number.isSafeInteger(seq) || seq <= this.delivered || this.buffer.has(seq)) return [];
    if (seq > this.announced) this.announced = seq;
    if (seq !== this.delivered + 1) {
      this.buffer.set(seq, report);
      return [];
    }
    this.delivered = seq;
    return [report, ...this.drain()];
  }

  /**
   * Records the account's latest seq as the server reported it (the `lastSeq`
   * of a resume ack): seqs up to it that were not received form a gap.
   */
  announce(lastSeq: number): void {
    if (Number.isSafeInteger(lastSeq) && lastSeq > this.announced) this.announced = lastSeq;
  }

  /** The first missing range, or null when nothing is known to be missing. */
  gap(): SeqGap | null {
    if (this.buffer.size > 0) {
      return { fromSeq: this.delivered + 1, toSeq: this.minBuffered() - 1 };
    }
    if (this.announced > this.delivered) return { fromSeq: this.delivered + 1, toSeq: this.announced };
    return null;
  }

  /**
   * Gives up on the current gap: moves past it and returns the buffered
   * reports it was holding back (in order, up to the next gap if any).
   */
  skipGap(): ExecutionReport[] {
    const gap = this.gap();
    if (!gap) return [];
    this.delivered = gap.toSeq;
    return this.drain();
  }

  /**
   * Moves past every seq up to `seq` without them: history the server no
   * longer has (its replay horizon). Buffered reports up to `seq` are dropped;
   * returns those now in order after it. A `seq` at or below the last
   * delivered one changes nothing.
   */
  skipTo(seq: number): ExecutionReport[] {
    if (!Number.isSafeInteger(seq) || seq <= this.delivered) return [];
    for (const buffered of this.buffer.keys()) if (buffered <= seq) this.buffer.delete(buffered);
    this.delivered = seq;
    if (seq > this.announced) this.announced = seq;
    return this.drain();
  }

  private drain(): ExecutionReport[] {
    const out: ExecutionReport[] = [];
    for (let next = this.buffer.get(this.delivered + 1); next; next = this.buffer.get(this.delivered + 1)) {
      this.buffer.delete(next.seq);
      this.delivered = next.seq;
      out.push(next);
    }
    return out;
  }

  private minBuffered(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const seq of this.buffer.keys()) if (seq < min) min = seq;
    return min;
  }
}
