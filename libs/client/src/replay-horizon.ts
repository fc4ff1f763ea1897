import type { ExecutionReport, OrderView } from '@execn/contracts';
import { fetchOpenOrders } from './fetch-open-orders';
import type { GapWatch } from './gap-watch';
import type { ReportSequencer, SeqGap } from './report-sequencer';

/**
 * What the application is told when its history is past the server's replay
 * horizon (reports it has not seen were deleted by retention).
 */
export interface ReplayHorizonEvent {
  /** The oldest seq the server still has: reports from here on follow through `onReport`. */
  oldestSeq: number;
  /** The seqs that are gone for this client (`lastSeq + 1` to `oldestSeq - 1`). */
  missed: SeqGap;
  /**
   * The account's open orders (`working`, `partially_filled`) read over REST just now, newest first: the state
   * to rebuild from. Reports from `oldestSeq` on may already be reflected in them (compare `transactTime` with an
   * order's `updatedAt`). Null when they could not be read (no `restUrl`, or the api failed: see `error`).
   */
  orders: OrderView[] | null;
  error?: string;
}

/** What crossing the horizon needs of the connection. */
export interface HorizonCrossing {
  sequencer: ReportSequencer;
  gaps: GapWatch;
  restUrl: string | undefined;
  token: () => Promise<string>;
  timeoutMs: number;
  onHorizon: ((event: ReplayHorizonEvent) => void) | undefined;
  deliver: (reports: ExecutionReport[]) => void;
}

/**
 * The SDK's answer to a `resume_horizon` ack: hold the gap watch (the missing
 * seqs are gone, not late), re-read the open orders over REST, tell the
 * application (`onHorizon`), then move the sequencer to `oldestSeq - 1` and
 * release what waited behind it; the caller resumes from there. The
 * application thus gets the snapshot before any report past the horizon, and
 * no `onGap` for history that retention removed.
 */
export async function crossReplayHorizon(c: HorizonCrossing, oldestSeq: number): Promise<void> {
  const missed = { fromSeq: c.sequencer.lastSeq + 1, toSeq: oldestSeq - 1 };
  if (missed.toSeq < missed.fromSeq) return;
  c.gaps.hold();
  try {
    let orders: OrderView[] | null = null;
    let error: string | undefined;
    if (c.restUrl === undefined) error = 'no restUrl: open orders not read';
    else {
      try {
        orders = await fetchOpenOrders(c.restUrl, await c.token(), c.timeoutMs);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    c.onHorizon?.({ oldestSeq, missed, orders, ...(error === undefined ? {} : { error }) });
    c.deliver(c.sequencer.skipTo(oldestSeq - 1));
  } finally {
    c.gaps.release();
  }
}
