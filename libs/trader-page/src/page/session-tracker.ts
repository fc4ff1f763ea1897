import type { ConnectionStatus } from '@execn/client';
import type { ExecutionReport } from '@execn/contracts';

/** How a report reached the page. */
export type ReportArrival =
  /** The history replayed on the first connect. */
  | 'history'
  /** Missed while disconnected, replayed by the resume after a reconnect. */
  | 'replayed'
  /** Broadcast as it happened. */
  | 'live';

/** What the page shows once a reconnect's resume is done. */
export interface ResumeNote {
  /** When the page was live again (ms since the epoch). */
  at: number;
  replayed: number;
  /** The seqs replayed, when any. */
  fromSeq?: number;
  toSeq?: number;
}

/**
 * Follows the SDK's statuses and reports to tell how each report arrived and
 * what a reconnect replayed. The SDK resumes on every (re)connect: the reports
 * delivered while its status is `resuming` are the replay; on the first
 * connect that replay is the history, on a later one what was missed. Pure.
 */
export class SessionTracker {
  private phase: 'initial' | 'resume' | 'live' = 'initial';
  private wasLive = false;
  private replayed = 0;
  private fromSeq: number | undefined;
  private toSeq: number | undefined;

  /** A status change; returns the note to show when a reconnect's resume has just finished. */
  status(status: ConnectionStatus, now: number): ResumeNote | undefined {
    if (status === 'resuming') {
      this.phase = this.wasLive ? 'resume' : 'initial';
      this.replayed = 0;
      this.fromSeq = this.toSeq = undefined;
      return undefined;
    }
    if (status !== 'live') return undefined;
    const note: ResumeNote | undefined =
      this.phase === 'resume'
        ? { at: now, replayed: this.replayed, ...(this.fromSeq === undefined ? {} : { fromSeq: this.fromSeq, toSeq: this.toSeq }) }
        : undefined;
    this.phase = 'live';
    this.wasLive = true;
    return note;
  }

  /** A report the SDK delivered: how it arrived. */
  report(report: ExecutionReport): ReportArrival {
    if (this.phase === 'live') return 'live';
    if (this.phase === 'initial') return 'history';
    this.replayed += 1;
    this.fromSeq ??= report.seq;
    this.toSeq = report.seq;
    return 'replayed';
  }
}

/** How long a report took from its `transactTime` to the page: `42 ms`, `1.3 s`, `2 min`. */
export function formatDelay(ms: number): string {
  if (Math.abs(ms) < 1_000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** `transactTime` as the trader reads it: local wall time with milliseconds. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The sentence shown after a reconnect. */
export function describeResume(note: ResumeNote): string {
  const at = formatTime(new Date(note.at).toISOString());
  if (note.replayed === 0) return `Reconnected at ${at} and resumed: nothing was missed.`;
  const range = note.fromSeq === note.toSeq ? `seq ${note.fromSeq}` : `seq ${note.fromSeq}-${note.toSeq}`;
  return `Reconnected at ${at} and resumed: ${note.replayed} report${note.replayed === 1 ? '' : 's'} replayed (${range}).`;
}
