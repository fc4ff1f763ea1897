import type { ExtendedError } from 'socket.io';
import type { Logger } from 'pino';
import { TokenError, verifyToken } from '@execn/auth';
import type { WsSocket } from './socket-types';

/** The one `connect_error` message of every refused handshake (CONTRACT section 3). */
export const UNAUTHORIZED = 'unauthorized';

/** setTimeout's ceiling (about 24.8 days); a longer wait is done in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Handshake middleware: `auth.token` must be a valid HS256 JWT. Whatever the
 * reason (missing, malformed, expired, forged), the client only learns
 * `unauthorized`; the reason goes to the debug log.
 */
export function authenticate(jwtSecret: string, log: Logger) {
  return (socket: WsSocket, next: (err?: ExtendedError) => void): void => {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    verifyToken(jwtSecret, typeof token === 'string' ? token : undefined).then(
      (principal) => {
        socket.data.principal = principal;
        next();
      },
      (err: unknown) => {
        const reason = err instanceof TokenError ? err.reason : 'error';
        log.debug({ reason, address: socket.handshake.address }, 'ws handshake refused');
        next(new Error(UNAUTHORIZED));
      },
    );
  };
}

/**
 * Disconnects the socket when its token expires: a connection lives no longer
 * than the credential that opened it. The client reconnects with a fresh token
 * (and resumes) or is refused.
 */
export function disconnectOnExpiry(socket: WsSocket, log: Logger): void {
  const expiresAtMs = socket.data.principal.exp * 1000;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = expiresAtMs - Date.now();
    if (left <= 0) {
      log.debug({ accountId: socket.data.principal.accountId }, 'ws token expired, disconnecting');
      socket.disconnect(true);
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  socket.once('disconnect', () => clearTimeout(timer));
}
