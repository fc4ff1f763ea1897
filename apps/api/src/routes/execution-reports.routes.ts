import { Router } from 'express';
import type { AppDeps } from '../deps';
import { listExecutionReportsHandler } from '../handlers/list-execution-reports.handler';
import { route } from '../http/handler';

/** The trader's report log, mounted at `/v1/execution-reports` behind authentication. */
export function executionReportsRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/', route(deps, listExecutionReportsHandler));
  return router;
}
