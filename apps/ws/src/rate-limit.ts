import { ackOf, type RefusalAck, type WsSocket } from './socket-types';

/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most
 * `ratePerSecond` (one second of burst). `now` is injectable for tests.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = ratePerSecond;
    this.last = now();
  }

  /** Takes a token; false when the bucket is empty. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Per-socket rate limit on client events: over the limit, the event is not
 * handled and its ack (if any) gets `{ok: false, error: 'rate_limited'}`. One
 * noisy client then costs the node almost nothing, and others are unaffected.
 */
export function limitRate(socket: WsSocket, ratePerSecond: number): void {
  const bucket = new TokenBucket(ratePerSecond);
  socket.use((packet, next) => {
    if (bucket.take()) return next();
    ackOf<RefusalAck>(packet[packet.length - 1])({ ok: false, error: 'rate_limited' });
  });
}
