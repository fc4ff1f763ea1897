import { bearerToken, verifyToken, type Principal, type Role } from '@execn/auth';
import { ApiError } from '@execn/contracts';
import type { NextFunction, Request, Response } from 'express';

const PRINCIPAL = 'principal';

/** Verified tokens kept to skip re-verifying a trader's token on every request. */
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Remembers tokens that verified, until their `exp`: a token string is
 * immutable, so its signature and claims never need checking twice, and an
 * HMAC plus JSON parsing per order is a measurable share of the api's CPU.
 * Expiry is still checked on every use. Bounded: cleared when full.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, Principal>();

  get(token: string): Principal | undefined {
    const principal = this.entries.get(token);
    if (principal === undefined) return undefined;
    if (principal.exp * 1000 <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return principal;
  }

  set(token: string, principal: Principal): void {
    if (this.entries.size >= CACHE_MAX_ENTRIES) this.entries.clear();
    this.entries.set(token, principal);
  }
}

/**
 * Verifies the bearer token (HS256, expiry, claims). Whatever is wrong with it
 * (missing, malformed, expired, forged) the answer is the same 401, so a
 * caller learns nothing about which check failed.
 */
export function authenticate(jwtSecret: string) {
  const verified = new VerifiedTokens();
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = bearerToken(req.headers.authorization);
    let principal = token === undefined ? undefined : verified.get(token);
    if (principal === undefined) {
      try {
        principal = await verifyToken(jwtSecret, token);
      } catch {
        throw new ApiError(401, 'unauthorized', 'A valid bearer token is required');
      }
      verified.set(token!, principal);
    }
    res.locals[PRINCIPAL] = principal;
    next();
  };
}

/** Refuses a verified caller without `role` with 403 `forbidden`. */
export function requireRole(role: Role) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (principalOf(res).role !== role) throw new ApiError(403, 'forbidden', `This needs the ${role} role`);
    next();
  };
}

/** The principal `authenticate` stored for this request. */
export function principalOf(res: Response): Principal {
  const principal = res.locals[PRINCIPAL] as Principal | undefined;
  if (principal === undefined) throw new ApiError(401, 'unauthorized', 'A valid bearer token is required');
  return principal;
}
