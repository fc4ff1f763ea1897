import type { ExecutionReport } from './execution-report';

/** Room of every socket of an account. Renaming it breaks deployed clients and workers. */
export const accountRoom = (accountId: string): string => `orders:${accountId}`;
/** Room of the sockets subscribed to one order. */
export const orderRoom = (orderId: string): string => `orders_status:${orderId}`;

/** The server → client event name. */
export const EXECUTION_REPORT_SOCKET_EVENT = 'execution.report';

export type Ack<T> = (response: T) => void;

/** Socket.IO event maps shared by the ws server, the worker's emitter and the client SDK. */
export interface ServerToClientEvents {
  'execution.report': (report: ExecutionReport) => void;
  /**
   * Sent by a ws node that is shutting down, just before it disconnects the
   * socket: the client should reconnect (to another node) at once and resume.
   */
  'server.shutdown': (notice: ServerShutdownNotice) => void;
}

/** Payload of `server.shutdown`. */
export interface ServerShutdownNotice {
  reason: 'shutdown';
  /** The client may reconnect right away; another node (or this one, restarted) will take it. */
  reconnect: true;
}

/** The event a ws node sends before it disconnects a socket on shutdown. */
export const SERVER_SHUTDOWN_SOCKET_EVENT = 'server.shutdown';

/**
 * The ack of `resume`: the replay's count and the account's latest seq; or `resume_horizon` when reports after
 * `sinceSeq` were deleted by retention (nothing replayed; every report from `oldestSeq` on is kept); or another
 * refusal (`validation_error`, `resume_in_progress`, `rate_limited`, `internal_error`).
 */
export type ResumeAck =
  | { ok: true; replayed: number; lastSeq: number }
  | { ok: false; error: 'resume_horizon'; oldestSeq: number }
  | { ok: false; error: string };

export interface ClientToServerEvents {
  subscribe: (payload: { orderId: string }, ack: Ack<{ ok: true } | { ok: false; error: string }>) => void;
  unsubscribe: (payload: { orderId: string }, ack: Ack<{ ok: true } | { ok: false; error: string }>) => void;
  resume: (payload: { sinceSeq?: number | null }, ack: Ack<ResumeAck>) => void;
}
