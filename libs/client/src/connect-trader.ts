import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ExecutionReport, ServerToClientEvents } from '@execn/contracts';
import { ReconnectPolicy } from './reconnect-policy';
import { GapWatch } from './gap-watch';
import { ReportSequencer, type SeqGap } from './report-sequencer';
import { crossReplayHorizon, type ReplayHorizonEvent } from './replay-horizon';

/** How long the SDK waits before asking again a node that could not answer a resume. */
const RESUME_RETRY_MS = 500;

/** Where the connection stands, for a connection indicator. */
export type ConnectionStatus = 'connecting' | 'resuming' | 'live' | 'reconnecting' | 'unauthorized' | 'closed';

/** The ack of `subscribe` / `unsubscribe`. */
export type SubscriptionAck = { ok: true } | { ok: false; error: string };

/** Options of `connectTrader`. */
export interface TraderConnectionOptions {
  /** One ws node's URL (e.g. `http://127.0.0.1:3001`). Give `url` or `urls`. */
  url?: string;
  /** Several ws nodes: the SDK moves to the next one when a node is lost. */
  urls?: string[];
  /** The trader's JWT, or a function returning a fresh one (called on every (re)connect). */
  token: string | (() => string | Promise<string>);
  /** The last seq the application already has; replay starts after it. @default 0 (the whole history) */
  sinceSeq?: number;
  /** Each report of the account, exactly once and in seq order. */
  onReport: (report: ExecutionReport) => void;
  /**
   * The api's base URL (e.g. `http://127.0.0.1:3000`): where the SDK re-reads the open orders when the history
   * it asks for is past the server's replay horizon (see `onHorizon`).
   */
  restUrl?: string;
  /**
   * Reports after `lastSeq` were deleted by retention: called once with the server's `oldestSeq` and the open
   * orders re-read over REST, before the reports from `oldestSeq` on; the SDK then goes on from there (no `onGap`).
   */
  onHorizon?: (event: ReplayHorizonEvent) => void;
  /** A gap that could not be filled within `gapTimeoutMs`; the SDK moves past it. */
  onGap?: (gap: SeqGap) => void;
  /** Connection status changes; `detail` names the url or the error. */
  onStatus?: (status: ConnectionStatus, detail?: { url?: string; error?: string }) => void;
  /** How long a gap may wait for a late report before the SDK resumes to fill it. @default 250 */
  gapGraceMs?: number;
  /** How long the SDK tries to fill a gap before reporting it through `onGap`. @default 5000 */
  gapTimeoutMs?: number;
  /** Timeout of each ack (`resume`, `subscribe`). @default 10000 */
  ackTimeoutMs?: number;
  /** Reconnect backoff bounds once every node failed in a row. @default 100 / 5000 */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

/** A live trader connection. */
export interface TraderConnection {
  /** The seq of the last report handed to `onReport`. */
  readonly lastSeq: number;
  readonly status: ConnectionStatus;
  /** The url of the node in use (or being tried). */
  readonly url: string;
  /** Joins `orders_status:<orderId>` (kept across reconnects); `not_found` for an unknown or foreign order. */
  subscribe(orderId: string): Promise<SubscriptionAck>;
  unsubscribe(orderId: string): Promise<SubscriptionAck>;
  /** Closes the connection for good; safe to call twice. */
  close(): void;
}


type TraderSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Connects a trader to the ws cluster. On every (re)connect it sends
 * `resume {sinceSeq: lastSeq}`, so a client that was offline misses nothing;
 * a `ReportSequencer` hands each report to `onReport` once and in seq order;
 * a gap (a report that arrives early, or a `lastSeq` ack beyond what arrived)
 * is filled by resuming, and reported through `onGap` when that fails
 * (`GapWatch`). Works in Node and in the browser (websocket transport only,
 * so that any node of the cluster can take the connection without sticky sessions).
 */
export function connectTrader(options: TraderConnectionOptions): TraderConnection {
  const session = new TraderSession(options);
  session.start();
  return session;
}

/**
 * One trader connection as a state machine. Its states are the
 * `ConnectionStatus` values, and only `enter()` changes the state:
 *
 * ```
 *  start ─▶ connecting ─connected─▶ resuming ─resumed─▶ live
 *               │                      │                  │
 *               └──────── lost ────────┴────── lost ──────┴─▶ reconnecting ─lost─▶ reconnecting (next node)
 *                                                                  │
 *                                       (after the policy's delay, reopen) connected ─▶ resuming
 *  connecting | reconnecting ─refused─▶ unauthorized ─┬─ fixed token: stays (terminal)
 *                                                     └─ token function: lost ─▶ reconnecting
 *  any ─close()─▶ closed (terminal)
 * ```
 *
 * `lost` is a disconnect, a connect error other than `unauthorized`, or the
 * node's `server.shutdown`; `refused` is a connect error `unauthorized`;
 * `resumed` is the end of the resume loop (a resume that a gap asks for while
 * live keeps the state `live`). Gap handling is `GapWatch`'s. A resume acked
 * `resume_horizon` crosses the horizon (`crossReplayHorizon`: open orders
 * re-read, `onHorizon`, sequencer moved to it) and resumes again, all within
 * `resuming` (or `live`).
 */
class TraderSession implements TraderConnection {
  private state: ConnectionStatus = 'connecting';
  private socket: TraderSocket | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** The resume loop in flight, and whether it must run once more. */
  private resuming: Promise<void> | undefined;
  private resumeAgain = false;
  private readonly policy: ReconnectPolicy;
  private readonly sequencer: ReportSequencer;
  private readonly gaps: GapWatch;
  private readonly subscriptions = new Set<string>();
  private readonly ackTimeoutMs: number;

  constructor(private readonly options: TraderConnectionOptions) {
    const urls = options.urls ?? (options.url ? [options.url] : []);
    this.policy = new ReconnectPolicy(urls, { minDelayMs: options.minReconnectDelayMs, maxDelayMs: options.maxReconnectDelayMs });
    this.sequencer = new ReportSequencer(options.sinceSeq ?? 0);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.gaps = new GapWatch(this.sequencer, {
      graceMs: options.gapGraceMs ?? 250,
      timeoutMs: options.gapTimeoutMs ?? 5_000,
      canResume: () => this.socket?.connected === true,
      isResuming: () => this.resuming !== undefined,
      resume: () => void this.resume(),
      deliver: (reports) => this.deliver(reports),
      onGap: options.onGap,
    });
  }

  get lastSeq(): number {
    return this.sequencer.lastSeq;
  }

  get status(): ConnectionStatus {
    return this.state;
  }

  get url(): string {
    return this.policy.current;
  }

  async subscribe(orderId: string): Promise<SubscriptionAck> {
    const ack = await this.ackOf('subscribe', orderId);
    if (ack.ok) this.subscriptions.add(orderId);
    return ack;
  }

  async unsubscribe(orderId: string): Promise<SubscriptionAck> {
    this.subscriptions.delete(orderId);
    return this.ackOf('unsubscribe', orderId);
  }

  // --- transitions -----------------------------------------------------------

  /** start → connecting: opens the first node. */
  start(): void {
    this.options.onStatus?.('connecting', { url: this.policy.current });
    this.open(this.policy.current);
  }

  /** connected → resuming: re-joins the order rooms and resumes after `lastSeq`. */
  private connected(s: TraderSocket, url: string): void {
    this.policy.connected();
    this.gaps.restart();
    this.enter('resuming', { url });
    for (const orderId of this.subscriptions) {
      s.timeout(this.ackTimeoutMs).emit('subscribe', { orderId }, () => undefined);
    }
    void this.resume();
  }

  /** resumed → live (when still connected); the gap watch looks again. */
  private resumed(): void {
    if (this.socket?.connected && !this.isClosed) this.enter('live', { url: this.policy.current });
    this.gaps.check();
  }

  /** lost → reconnecting: drops the socket and opens the policy's next node after its delay. */
  private lost(error: string | undefined): void {
    this.teardown();
    if (this.isClosed) return;
    const step = this.policy.next();
    this.enter('reconnecting', { url: step.url, ...(error ? { error } : {}) });
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open(step.url);
    }, step.delayMs);
  }

  /** refused → unauthorized: a fixed token stays refused (stop); a token function may give a fresh one (lost). */
  private refused(url: string, error: string): void {
    this.enter('unauthorized', { url, error });
    if (typeof this.options.token === 'string') this.teardown();
    else this.lost(error);
  }

  /** close() → closed, for good; safe to call twice. */
  close(): void {
    if (this.isClosed) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.gaps.stop();
    this.teardown();
    this.enter('closed');
  }

  // --- the pieces the transitions use ------------------------------------------

  private get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** The one place the state changes; tells `onStatus` (again for the same state only with an error). */
  private enter(next: ConnectionStatus, detail?: { url?: string; error?: string }): void {
    if (this.state === next && !detail?.error) return;
    this.state = next;
    this.options.onStatus?.(next, detail);
  }

  private open(url: string): void {
    if (this.isClosed) return;
    const token = this.options.token;
    const s: TraderSocket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: this.ackTimeoutMs,
      auth: (cb) => {
        void Promise.resolve(typeof token === 'function' ? token() : token).then(
          (t) => cb({ token: t }),
          () => cb({ token: '' }),
        );
      },
    });
    this.socket = s;
    s.on('connect', () => this.connected(s, url));
    s.on('execution.report', (report) => this.report(report));
    s.on('server.shutdown', () => {
      // The node is going away: leave now rather than wait for its disconnect.
      if (this.socket === s) this.lost(undefined);
    });
    s.on('connect_error', (err) => {
      if (this.socket !== s) return;
      if (err.message === 'unauthorized') this.refused(url, err.message);
      else this.lost(err.message);
    });
    s.on('disconnect', (reason) => {
      if (this.socket !== s || reason === 'io client disconnect') return;
      this.lost(reason);
    });
  }

  private teardown(): void {
    const s = this.socket;
    this.socket = undefined;
    if (s) {
      s.removeAllListeners();
      s.disconnect();
    }
  }

  private report(report: ExecutionReport): void {
    if (this.isClosed || typeof report?.seq !== 'number') return;
    this.deliver(this.sequencer.accept(report));
    this.gaps.check();
  }

  private deliver(reports: ExecutionReport[]): void {
    for (const r of reports) this.options.onReport(r);
  }

  /** Resumes now, or once more after the resume in flight; its end is the `resumed` transition. */
  private resume(): Promise<void> {
    if (this.resuming) {
      this.resumeAgain = true;
      return this.resuming;
    }
    this.resuming = (async () => {
      do {
        this.resumeAgain = false;
        const s = this.socket;
        if (!s?.connected) break;
        try {
          const ack = await s.timeout(this.ackTimeoutMs).emitWithAck('resume', { sinceSeq: this.sequencer.lastSeq });
          if (ack.ok) this.sequencer.announce(ack.lastSeq);
          else if ('oldestSeq' in ack && ack.error === 'resume_horizon' && ack.oldestSeq - 1 > this.sequencer.lastSeq) {
            await crossReplayHorizon(this.horizonCrossing(), ack.oldestSeq);
            this.resumeAgain = true;
          }
          else if (ack.error === 'rate_limited') {
            await new Promise((r) => setTimeout(r, 1_000));
            this.resumeAgain = true;
          } else if (ack.error === 'internal_error') {
            // The node could not read the history (PostgreSQL away): what is missing cannot be judged, so a gap is
            // not given up meanwhile; ask again until it can answer (the chaos soak saw 33 reports skipped for good
            // when a 5-s PostgreSQL restart outlasted the gap timeout).
            this.gaps.restart();
            await new Promise((r) => setTimeout(r, RESUME_RETRY_MS));
            this.resumeAgain = true;
          }
        } catch {
          // Ack timed out: the connection is probably gone; the reconnect resumes again.
          break;
        }
      } while (this.resumeAgain && !this.isClosed);
    })().finally(() => {
      this.resuming = undefined;
      this.resumed();
    });
    return this.resuming;
  }

  private horizonCrossing() {
    const { restUrl, onHorizon, token } = this.options;
    return {
      sequencer: this.sequencer,
      gaps: this.gaps,
      restUrl,
      onHorizon,
      token: async () => (typeof token === 'function' ? token() : token),
      timeoutMs: this.ackTimeoutMs,
      deliver: (reports: ExecutionReport[]) => (this.isClosed ? undefined : this.deliver(reports)),
    };
  }

  private async ackOf(event: 'subscribe' | 'unsubscribe', orderId: string): Promise<SubscriptionAck> {
    const s = this.socket;
    if (!s?.connected) throw new Error('not connected');
    return s.timeout(this.ackTimeoutMs).emitWithAck(event, { orderId });
  }
}
