import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '@execn/contracts';
import { principalOf } from './authenticate';

/** One account's bucket: tokens left at `at` (ms). */
interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full ones (idle accounts) are forgotten: bounds the map, whatever the accounts. */
const MAX_TRACKED_ACCOUNTS = 100_000;

/**
 * Per-account token bucket over placing and cancelling orders
 * (ORDER_RATE_LIMIT_PER_SECOND, CONTRACT sections 2 and 5): `perSecond` tokens
 * a second, a burst of twice that. Over it: 429 `rate_limited` with
 * `Retry-After` (whole seconds until a token is back), before anything is read
 * or written. Per api process: behind a load balancer spreading an account's
 * requests over n processes, an account gets up to n times the rate.
 */
export function orderRateLimit(perSecond: number) {
  const burst = perSecond * 2;
  const buckets = new Map<string, Bucket>();
  return (_req: Request, res: Response, next: NextFunction): void => {
    const { accountId } = principalOf(res);
    const now = Date.now();
    const b = buckets.get(accountId) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    if (b.tokens < 1) {
      buckets.set(accountId, b);
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
      res.set('Retry-After', String(retryAfter));
      res.status(429).json(new ApiError(429, 'rate_limited', `Over ${perSecond} orders per second; retry later`).toBody());
      return;
    }
    b.tokens -= 1;
    if (!buckets.has(accountId) && buckets.size >= MAX_TRACKED_ACCOUNTS) {
      for (const [id, other] of buckets) if (other.tokens + ((now - other.at) / 1000) * perSecond >= burst) buckets.delete(id);
    }
    buckets.set(accountId, b);
    next();
  };
}
