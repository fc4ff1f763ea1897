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
}

export interface ClientToServerEvents {
  subscribe: (payload: { orderId: string }, ack: Ack<{ ok: true } | { ok: false; error: string }>) => void;
  unsubscribe: (payload: { orderId: string }, ack: Ack<{ ok: true } | { ok: false; error: string }>) => void;
  resume: (
    payload: { sinceSeq?: number | null },
    ack: Ack<{ ok: true; replayed: number; lastSeq: number } | { ok: false; error: string }>,
  ) => void;
}
