import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type Router as ExpressRouter } from 'express';
import { ApiError } from '@execn/contracts';
import { securityHeaders, type CspDirectives } from '@execn/observability';
import type { BasicCredentials } from './basic-credentials';
import type { SqlOrTx } from '@execn/db';
import type { Logger } from '@execn/observability';
import { auditBoardChanges } from './bull-board-audit';
import { bullBoardAuth } from './bull-board-auth';

/** Where the dashboard lives (CONTRACT section 5). */
export const BULL_BOARD_PATH = '/admin/queues';

/**
 * What Bull Board's UI loads: its own scripts and styles (React sets inline
 * styles, hence `'unsafe-inline'` for styles only), the IBM Plex font it links
 * from Google Fonts, its own JSON API, and its `<base>`. No inline script runs.
 */
const BULL_BOARD_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
  'font-src': ["'self'", 'https://fonts.gstatic.com', 'data:'],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'manifest-src': ["'self'"],
  // Its page sets `<base href="/admin/queues/">`, from which its scripts and styles are found.
  'base-uri': ["'self'"],
};

/** Options of `createBullBoardRouter`. */
export interface BullBoardOptions {
  /** The `outbox` and `mail` queues (created with the configured QUEUE_PREFIX). */
  queues: Queue[];
  /** `BULL_BOARD_USER`/`BULL_BOARD_PASSWORD`; undefined disables the dashboard. */
  credentials: BasicCredentials | undefined;
  jwtSecret: string;
  /** Where every change made through the dashboard is audited. */
  sql: SqlOrTx;
  log: Logger;
}

/**
 * The Bull Board dashboard, to mount at `BULL_BOARD_PATH`, behind
 * `bullBoardAuth`. Without configured credentials every path answers 404
 * `not_found`: the dashboard can pause, empty and retry queues, so it is never
 * served open, not even to an admin token.
 *
 * Every request that changes a queue or a job is audited (`auditBoardChanges`).
 *
 * Retrying a job here re-runs it at the same generation; the worker checks the
 * outbox row first, so a job whose event was processed or requeued meanwhile
 * is a no-op, and a mail already sent is not sent twice. Sending an event
 * again with a new Message-ID is the REST requeue's job.
 */
export function createBullBoardRouter(options: BullBoardOptions): ExpressRouter {
  const router = Router();
  const credentials = options.credentials;
  if (!credentials) {
    router.use((_req, res) => {
      const err = new ApiError(404, 'not_found', 'Bull Board is disabled: set BULL_BOARD_USER and BULL_BOARD_PASSWORD');
      res.status(404).json(err.toBody());
    });
    return router;
  }
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: options.queues.map((q) => new BullMQAdapter(q, { allowRetries: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'exec-notify queues' } },
  });
  router.use(
    securityHeaders(BULL_BOARD_CSP),
    bullBoardAuth({ credentials, jwtSecret: options.jwtSecret }),
    auditBoardChanges(options.sql, options.log),
    serverAdapter.getRouter() as ExpressRouter,
  );
  return router;
}
