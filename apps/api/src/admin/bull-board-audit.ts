import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { recordAudit } from '@execn/audit';
import type { SqlOrTx } from '@execn/db';
import type { Logger } from '@execn/observability';

/** Where `bullBoardAuth` leaves who passed it: the Basic user or the admin token's `sub`. */
export const BULL_BOARD_ACTOR = 'bullBoardActor';

/** Bull Board's queue-level actions (`/api/queues/:queueName/<action>…`); any other segment there is a job id. */
const QUEUE_ACTIONS = new Set([
  'add', 'retry', 'promote', 'clean', 'pause', 'resume', 'concurrency', 'rate-limit', 'empty', 'obliterate', 'job-schedulers',
]);

/** What one mutating Bull Board request did, for the audit log. */
export interface BoardChange {
  action: string;
  target: string;
}

/**
 * Names a mutating Bull Board API request (path below the board's mount):
 * `PUT /api/queues/mail/42/retry` → `bull_board.job.retry` on `job:mail/42`;
 * `PUT /api/queues/outbox/clean/failed` → `bull_board.queue.clean` on
 * `queue:outbox`; `PUT /api/queues/pause` (every queue) → `queue:*`. A path
 * this does not know (a newer Bull Board) is still audited, on `queue:*`.
 */
export function describeBoardChange(path: string): BoardChange {
  const segments = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  if (segments[0] !== 'api' || segments[1] !== 'queues' || segments.length < 3) {
    return { action: `bull_board.${segments.join('.') || 'unknown'}`, target: 'queue:*' };
  }
  const [, , queue, second, third] = segments as [string, string, string, string?, string?];
  if (second === undefined) return { action: `bull_board.queues.${queue}`, target: 'queue:*' };
  if (QUEUE_ACTIONS.has(second)) return { action: `bull_board.queue.${second}`, target: `queue:${queue}` };
  return { action: `bull_board.job.${third ?? 'update'}`, target: `job:${queue}/${second}` };
}

/**
 * Audits every request through Bull Board that can change a queue or a job
 * (any method but GET and HEAD), as CONTRACT section 5 asks: one entry per
 * request that succeeded (status below 400), with the actor `bullBoardAuth`
 * recorded, the target, and the method, path and body as `params`. A refused
 * or failed request writes none. Mount after `bullBoardAuth`.
 *
 * The entry is committed between the dashboard's answer and its sending (the
 * response's `end` waits for it): Redis (the change) and PostgreSQL (the
 * audit) share no transaction, so it cannot come before the change, but a
 * client that saw a change succeed finds it in the log, and entries keep the
 * order of the requests. A failed audit write is logged as an error.
 */
export function auditBoardChanges(sql: SqlOrTx, log: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const actor = String(res.locals[BULL_BOARD_ACTOR] ?? 'unknown');
    const change = describeBoardChange(req.path);
    const params = { method: req.method, path: req.path, body: req.body ?? null };
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode >= 400) return end(...args);
      void recordAudit(sql, { actor, ...change, params })
        .catch((err: unknown) => log.error({ err, actor, ...change }, 'bull board change not audited'))
        .finally(() => end(...args));
      return res;
    }) as Response['end'];
    next();
  };
}
