import { bearerToken, verifyToken, type Principal, type Role } from '@execn/auth';
import { ApiError } from '@execn/contracts';
import type { NextFunction, Request, Response } from 'express';

const PRINCIPAL = 'principal';

/** Verified tokens kept to skip re-verifying a trader's token on every request. */
const CACHE_MAX_ENTRIES = 10_000;

/**
 * Verifies bearer tokens (HS256, expiry, claims) and remembers those that
 * verified, until their `exp`: a token string is immutable, so its signature
 * and claims never need checking twice, and an HMAC plus JSON parsing per
 * order is a measurable share of the api's CPU. Expiry is still checked on
 * every use. Bounded: cleared when full. One per app, shared by
 * `authenticate` and the early order rate check.
 */
export class TokenVerifier {
  private readonly entries = new Map<string, Principal>();

  constructor(private readonly jwtSecret: string) {}

  /** The principal of an `Authorization` header, or undefined when it carries no valid token. */
  async principalOf(authorization: string | undefined): Promise<Principal | undefined> {
    const token = bearerToken(authorization);
    if (token === undefined) return undefined;
    const known = this.entries.get(token);
    if (known !== undefined && known.exp * 1000 > Date.now()) return known;
    if (known !== undefined) this.entries.delete(token);
    let principal: Principal;
    try {
      principal = await verifyToken(this.jwtSecret, token);
    } catch {
      return undefined;
    }
    if (this.entries.size >= CACHE_MAX_ENTRIES) this.entries.clear();
    this.entries.set(token, principal);
    return principal;
  }
}

/**
 * Verifies the bearer token (HS256, expiry, claims). Whatever is wrong with it
 * (missing, malformed, expired, forged) the answer is the same 401, so a
 * caller learns nothing about which check failed.
 */
export function authenticate(tokens: TokenVerifier) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const principal = await tokens.principalOf(req.headers.authorization);
    if (principal === undefined) throw new ApiError(401, 'unauthorized', 'A valid bearer token is required');
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
