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
  /** Aborted when the client's connection closes before its answer was sent (it gave up). */
  signal: AbortSignal;
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
    const abandoned = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abandoned.abort();
    });
    const result = await handler({
      deps,
      principal: principalOf(res),
      params: req.params as Record<string, string>,
      query: req.query,
      body: req.body,
      signal: abandoned.signal,
    });
    res.status(result.status).json(result.body);
  };
}
