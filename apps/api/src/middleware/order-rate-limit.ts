import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ApiError } from '@execn/contracts';
import { principalOf, type TokenVerifier } from './authenticate';
import { ROUTE_LABEL } from './request-log';

/** One account's bucket: tokens left at `at` (ms). */
interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full ones (idle accounts) are forgotten: bounds the map, whatever the accounts. */
const MAX_TRACKED_ACCOUNTS = 100_000;

/** Set on a request whose order rate was already decided (by the early check), so it is not charged twice. */
const CHECKED = 'orderRateChecked';

/**
 * Per-account token bucket over placing and cancelling orders
 * (ORDER_RATE_LIMIT_PER_SECOND, CONTRACT sections 2 and 5): `perSecond` tokens
 * a second, a burst of twice that. Per api process: behind a load balancer
 * spreading an account's requests over n processes, an account gets up to n
 * times the rate.
 */
export class OrderRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  /** The 429's body, the same for every refusal: built once. */
  readonly refusalBody: string;

  constructor(readonly perSecond: number) {
    this.burst = perSecond * 2;
    this.refusalBody = JSON.stringify(new ApiError(429, 'rate_limited', `Over ${perSecond} orders per second; retry later`).toBody());
  }

  /** Takes a token of `accountId`'s bucket: 0 when there was one, else the whole seconds until one is back. */
  take(accountId: string, now = Date.now()): number {
    const b = this.buckets.get(accountId) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(accountId, b);
      return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
    }
    b.tokens -= 1;
    if (!this.buckets.has(accountId) && this.buckets.size >= MAX_TRACKED_ACCOUNTS) {
      for (const [id, other] of this.buckets) if (other.tokens + ((now - other.at) / 1000) * this.perSecond >= this.burst) this.buckets.delete(id);
    }
    this.buckets.set(accountId, b);
    return 0;
  }
}

/**
 * How long a refusal is held before it is sent. A client looping on its
 * connections without waiting (a flood) then gets one refusal per connection
 * per second whatever its speed, so its cost to the api is bounded by its
 * connections, not by how fast it can send; a client that honours
 * `Retry-After` (at least 1 s) loses nothing. Holding costs a timer.
 */
export const REFUSAL_HOLD_MS = 1_000;

/**
 * The 429 `rate_limited` with `Retry-After`, after REFUSAL_HOLD_MS, written
 * straight to the socket: a refusal must stay cheap, it is what a flood is
 * made of. The headers set so far (security headers) go with it. A client
 * that hangs up meanwhile is answered by nobody.
 */
function refuse(res: Response, limiter: OrderRateLimiter, retryAfterSeconds: number): void {
  const timer = setTimeout(() => {
    if (res.destroyed) return;
    res.writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(retryAfterSeconds) });
    res.end(limiter.refusalBody);
  }, REFUSAL_HOLD_MS);
  res.once('close', () => clearTimeout(timer));
}

/** Place and cancel, as the client usually spells them (the router's check covers every other spelling). */
const PLACE_PATH = /^\/v1\/orders\/?(?:\?|$)/;
const CANCEL_PATH = /^\/v1\/orders\/[^/?]+\/?(?:\?|$)/;

/**
 * The order rate check, early: before the body is read or parsed and before
 * the routers, for the usual spelling of place and cancel with a valid token.
 * A flood of orders from one account then costs the api a token lookup and
 * a fixed answer per request, so the others keep their latency (measured in
 * `order-flood.int.test.ts`). Anything it does not recognise goes on to the
 * router, whose `orderRateLimit` decides (and authentication answers 401).
 */
export function refuseOverOrderRateEarly(limiter: OrderRateLimiter, tokens: TokenVerifier): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const route = req.method === 'POST' && PLACE_PATH.test(req.url) ? '/v1/orders/' : req.method === 'DELETE' && CANCEL_PATH.test(req.url) ? '/v1/orders/:id' : undefined;
    if (route === undefined) return next();
    const principal = await tokens.principalOf(req.headers.authorization);
    if (principal === undefined) return next();
    res.locals[CHECKED] = true;
    const retryAfter = limiter.take(principal.accountId);
    if (retryAfter === 0) return next();
    res.locals[ROUTE_LABEL] = route;
    refuse(res, limiter, retryAfter);
  };
}

/**
 * The order rate check on the place and cancel routes, after authentication:
 * over the rate, 429 before anything is read or written. A request the early
 * check already charged passes.
 */
export function orderRateLimit(limiter: OrderRateLimiter): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (res.locals[CHECKED] === true) return next();
    const retryAfter = limiter.take(principalOf(res).accountId);
    if (retryAfter === 0) return next();
    refuse(res, limiter, retryAfter);
  };
}
