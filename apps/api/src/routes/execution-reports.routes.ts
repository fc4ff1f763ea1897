import { reportPageSchema } from '@execn/contracts';
import { listExecutionReportsHandler } from '../handlers/list-execution-reports.handler';
import type { RouteGroup } from '../http/api-route';
import { listReportsQuerySchema } from '../schemas/query.schemas';

/** The trader's report log. Each entry is the route and its OpenAPI operation. */
export const executionReportsRoutes: RouteGroup = {
  mount: '/v1/execution-reports',
  access: 'trader',
  tag: 'execution reports',
  routes: [
    { method: 'get', path: '/', handler: listExecutionReportsHandler, doc: { summary: "The caller's reports with seq > sinceSeq, ascending", query: listReportsQuerySchema, response: reportPageSchema, errors: ['validation_error', 'resume_horizon'], description: '410 `resume_horizon` with `details: {oldestSeq}` when reports after `sinceSeq` were already deleted by retention.' } },
  ],
};
