import type { Principal } from '@execn/auth';
import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { principalOf } from '../middleware/authenticate';

/** What a handler sees of a request: no Express in sight. */
export interface HandlerRequest {
  deps: AppDeps;
  /** The verified token's account and role. */
  principal: Principal;
  params: Record<string, string>;
  query: unknown;
  body: unknown;
}

/** What a handler answers. */
export interface HandlerResult {
  status: number;
  body: unknown;
}

/** One HTTP action. Throws ApiError, a library's DomainError or a ZodError for the error handler to map. */
export type Handler = (req: HandlerRequest) => Promise<HandlerResult>;

/** Adapts a handler to an authenticated Express route. */
export function route(deps: AppDeps, handler: Handler) {
  return async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const result = await handler({
      deps,
      principal: principalOf(res),
      params: req.params as Record<string, string>,
      query: req.query,
      body: req.body,
    });
    res.status(result.status).json(result.body);
  };
}
