import type { WsServerIo } from './socket-types';

/** The `connect_error` message of a handshake over the account's limit (CONTRACT section 6). */
export const TOO_MANY_CONNECTIONS = 'too_many_connections';

/**
 * Caps the sockets one account holds on this node (WS_MAX_CONNECTIONS_PER_ACCOUNT):
 * one more handshake gets `connect_error` `too_many_connections`. A middleware,
 * after authentication: the slot is taken here, synchronously, so concurrent
 * handshakes cannot all pass the check before any of them counts, and given
 * back when the socket disconnects.
 */
export function limitConnectionsPerAccount(io: WsServerIo, maxPerAccount: number): void {
  const open = new Map<string, number>();
  io.use((socket, next) => {
    const { accountId } = socket.data.principal;
    const held = open.get(accountId) ?? 0;
    if (held >= maxPerAccount) return next(new Error(TOO_MANY_CONNECTIONS));
    open.set(accountId, held + 1);
    // Socket.IO connects a socket in the same tick its last middleware passes; its disconnect frees the slot.
    socket.once('disconnect', () => {
      const left = (open.get(accountId) ?? 1) - 1;
      if (left > 0) open.set(accountId, left);
      else open.delete(accountId);
    });
    next();
  });
}
