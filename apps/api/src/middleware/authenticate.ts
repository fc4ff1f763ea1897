import { bearerToken, verifyToken, type Principal, type Role } from '@execn/auth';
import { ApiError } from '@execn/contracts';
import type { NextFunction, Request, Response } from 'express';

const PRINCIPAL = 'principal';

/**
 * Verifies the bearer token (HS256, expiry, claims). Whatever is wrong with it
 * (missing, malformed, expired, forged) the answer is the same 401, so a
 * caller learns nothing about which check failed.
 */
export function authenticate(jwtSecret: string) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      res.locals[PRINCIPAL] = await verifyToken(jwtSecret, bearerToken(req.headers.authorization));
    } catch {
      throw new ApiError(401, 'unauthorized', 'A valid bearer token is required');
    }
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
