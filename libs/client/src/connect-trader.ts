import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ExecutionReport, ServerToClientEvents } from '@execn/contracts';
import { ReconnectPolicy } from './reconnect-policy';
import { ReportSequencer, type SeqGap } from './report-sequencer';

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
 * is filled by resuming, and reported through `onGap` when that fails.
 * Works in Node and in the browser (websocket transport only, so that any
 * node of the cluster can take the connection without sticky sessions).
 */
export function connectTrader(options: TraderConnectionOptions): TraderConnection {
  const urls = options.urls ?? (options.url ? [options.url] : []);
  const policy = new ReconnectPolicy(urls, {
    minDelayMs: options.minReconnectDelayMs,
    maxDelayMs: options.maxReconnectDelayMs,
  });
  const sequencer = new ReportSequencer(options.sinceSeq ?? 0);
  const gapGraceMs = options.gapGraceMs ?? 250;
  const gapTimeoutMs = options.gapTimeoutMs ?? 5_000;
  const ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
  const subscriptions = new Set<string>();

  let socket: TraderSocket | undefined;
  let status: ConnectionStatus = 'connecting';
  let closed = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let gapTimer: ReturnType<typeof setTimeout> | undefined;
  let gapSince: number | undefined;
  let resuming: Promise<void> | undefined;
  let resumeAgain = false;

  const setStatus = (next: ConnectionStatus, detail?: { url?: string; error?: string }) => {
    if (status === next && !detail?.error) return;
    status = next;
    options.onStatus?.(next, detail);
  };

  const deliver = (reports: ExecutionReport[]) => {
    for (const r of reports) options.onReport(r);
  };

  const onReport = (report: ExecutionReport) => {
    if (closed || typeof report?.seq !== 'number') return;
    deliver(sequencer.accept(report));
    checkGap();
  };

  /** Resumes now, or once more after the resume in flight, and settles the gap state. */
  const resume = (): Promise<void> => {
    if (resuming) {
      resumeAgain = true;
      return resuming;
    }
    resuming = (async () => {
      do {
        resumeAgain = false;
        const s = socket;
        if (!s?.connected) break;
        try {
          const ack = await s.timeout(ackTimeoutMs).emitWithAck('resume', { sinceSeq: sequencer.lastSeq });
          if (ack.ok) sequencer.announce(ack.lastSeq);
          else if (ack.error === 'rate_limited') {
            await new Promise((r) => setTimeout(r, 1_000));
            resumeAgain = true;
          }
        } catch {
          // Ack timed out: the connection is probably gone; the reconnect resumes again.
          break;
        }
      } while (resumeAgain && !closed);
    })().finally(() => {
      resuming = undefined;
      if (socket?.connected && !closed) setStatus('live', { url: policy.current });
      checkGap();
    });
    return resuming;
  };

  const checkGap = () => {
    const gap = sequencer.gap();
    if (!gap || closed) {
      gapSince = undefined;
      if (gapTimer) clearTimeout(gapTimer);
      gapTimer = undefined;
      return;
    }
    const now = Date.now();
    gapSince ??= now;
    if (now - gapSince >= gapTimeoutMs) {
      gapSince = undefined;
      options.onGap?.(gap);
      deliver(sequencer.skipGap());
      checkGap();
      return;
    }
    if (gapTimer || resuming) return;
    const wait = Math.min(gapGraceMs, gapTimeoutMs - (now - gapSince));
    gapTimer = setTimeout(() => {
      gapTimer = undefined;
      if (sequencer.gap() && socket?.connected) void resume();
      else checkGap();
    }, wait);
  };

  const open = (url: string) => {
    if (closed) return;
    const s: TraderSocket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: ackTimeoutMs,
      auth: (cb) => {
        const t = options.token;
        void Promise.resolve(typeof t === 'function' ? t() : t).then(
          (token) => cb({ token }),
          () => cb({ token: '' }),
        );
      },
    });
    socket = s;
    s.on('connect', () => {
      policy.connected();
      // A fresh connection gets a fresh chance to fill a gap before reporting it.
      gapSince = undefined;
      setStatus('resuming', { url });
      for (const orderId of subscriptions) {
        s.timeout(ackTimeoutMs).emit('subscribe', { orderId }, () => undefined);
      }
      void resume();
    });
    s.on('execution.report', onReport);
    s.on('server.shutdown', () => {
      // The node is going away: leave now rather than wait for its disconnect.
      if (socket === s) reconnect(undefined);
    });
    s.on('connect_error', (err) => {
      if (socket !== s) return;
      const unauthorized = err.message === 'unauthorized';
      if (unauthorized) setStatus('unauthorized', { url, error: err.message });
      // A fixed token stays refused: stop. A token function may give a fresh one: keep trying.
      if (unauthorized && typeof options.token === 'string') {
        teardown();
        return;
      }
      reconnect(err.message);
    });
    s.on('disconnect', (reason) => {
      if (socket !== s || reason === 'io client disconnect') return;
      reconnect(reason);
    });
  };

  const teardown = () => {
    const s = socket;
    socket = undefined;
    if (s) {
      s.removeAllListeners();
      s.disconnect();
    }
  };

  const reconnect = (error: string | undefined) => {
    teardown();
    if (closed) return;
    const step = policy.next();
    setStatus('reconnecting', { url: step.url, ...(error ? { error } : {}) });
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      open(step.url);
    }, step.delayMs);
  };

  const ackOf = async (event: 'subscribe' | 'unsubscribe', orderId: string): Promise<SubscriptionAck> => {
    const s = socket;
    if (!s?.connected) throw new Error('not connected');
    return s.timeout(ackTimeoutMs).emitWithAck(event, { orderId });
  };

  options.onStatus?.('connecting', { url: policy.current });
  open(policy.current);

  return {
    get lastSeq() {
      return sequencer.lastSeq;
    },
    get status() {
      return status;
    },
    get url() {
      return policy.current;
    },
    async subscribe(orderId) {
      const ack = await ackOf('subscribe', orderId);
      if (ack.ok) subscriptions.add(orderId);
      return ack;
    },
    async unsubscribe(orderId) {
      subscriptions.delete(orderId);
      return ackOf('unsubscribe', orderId);
    },
    close() {
      if (closed) return;
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (gapTimer) clearTimeout(gapTimer);
      teardown();
      setStatus('closed');
    },
  };
}
