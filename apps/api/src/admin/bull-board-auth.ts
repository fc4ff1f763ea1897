import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { bearerToken, verifyToken } from '@execn/auth';
import { ApiError } from '@execn/contracts';
import { credentialsMatch, parseBasicAuth, type BasicCredentials } from './basic-credentials';
import { BULL_BOARD_ACTOR } from './bull-board-audit';

/** What the dashboard's gate needs. */
export interface BullBoardAuthOptions {
  /** The Basic-auth pair; the dashboard only exists when it is configured. */
  credentials: BasicCredentials;
  /** HS256 key of bearer tokens: an admin token also opens the dashboard. */
  jwtSecret: string;
}

/** The realm browsers show in their login prompt. */
const CHALLENGE = 'Basic realm="Bull Board", charset="UTF-8"';

function refuse(res: Response, error: ApiError): void {
  // Every refusal carries the challenge: a browser then asks for the password instead of showing JSON.
  if (error.status === 401) res.setHeader('WWW-Authenticate', CHALLENGE);
  res.status(error.status).json(error.toBody());
}

/**
 * Lets a request through to Bull Board with the configured Basic-auth
 * credentials (compared in constant time) or an admin bearer token. A trader
 * token is refused with 403 `forbidden`; anything else gets 401 with a
 * `WWW-Authenticate` challenge so a browser prompts for the password.
 */
export function bullBoardAuth(options: BullBoardAuthOptions): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const basic = parseBasicAuth(header);
    if (basic) {
      if (credentialsMatch(basic, options.credentials)) {
        res.locals[BULL_BOARD_ACTOR] = basic.user;
        return next();
      }
      return refuse(res, new ApiError(401, 'unauthorized', 'Invalid Bull Board credentials'));
    }
    const token = bearerToken(header);
    if (!token) return refuse(res, new ApiError(401, 'unauthorized', 'Bull Board needs Basic credentials or an admin token'));
    verifyToken(options.jwtSecret, token).then(
      (principal) => {
        if (principal.role === 'admin') {
          res.locals[BULL_BOARD_ACTOR] = principal.accountId;
          return next();
        }
        refuse(res, new ApiError(403, 'forbidden', 'Bull Board is for admins'));
      },
      () => refuse(res, new ApiError(401, 'unauthorized', 'Invalid or expired token')),
    );
  };
}
