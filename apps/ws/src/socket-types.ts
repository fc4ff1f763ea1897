import type { Server, Socket } from 'socket.io';
import type { Principal } from '@execn/auth';
import type { ClientToServerEvents, ServerToClientEvents } from '@execn/contracts';

/** What the handshake leaves on each socket. */
export interface WsSocketData {
  principal: Principal;
}

/** The typed Socket.IO server of a ws node (no server-to-server events). */
export type WsServerIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, WsSocketData>;
export type WsSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, WsSocketData>;

/** The ack every client event answers with when it refuses. */
export type RefusalAck = {
  ok: false;
  error: 'validation_error' | 'not_found' | 'rate_limited' | 'too_many_subscriptions' | 'internal_error';
};

/**
 * The ack callback of a client event, or a no-op when the client sent none: a
 * client that forgets the callback must not crash the handler.
 */
export function ackOf<T>(ack: unknown): (response: T) => void {
  return typeof ack === 'function' ? (ack as (response: T) => void) : () => undefined;
}
