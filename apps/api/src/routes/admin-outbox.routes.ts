import { getOutboxEventHandler } from '../handlers/get-outbox-event.handler';
import { getOutboxStatsHandler } from '../handlers/get-outbox-stats.handler';
import { listOutboxEventsHandler } from '../handlers/list-outbox-events.handler';
import { requeueOutboxEventHandler } from '../handlers/requeue-outbox-event.handler';
import { requeueOutboxEventsHandler } from '../handlers/requeue-outbox-events.handler';
import type { RouteGroup } from '../http/api-route';
import {
  bulkRequeuedSchema,
  eventWithDeliveriesSchema,
  outboxEventPageSchema,
  outboxStatsSchema,
  requeuedEventSchema,
} from '../schemas/admin-outbox-responses.schemas';
import { bulkRequeueBodySchema, eventIdParamsSchema, listOutboxQuerySchema, outboxStatsQuerySchema } from '../schemas/admin-outbox.schemas';

/**
 * The outbox as admins see and repair it. Each entry is the route and its
 * OpenAPI operation. The literal paths come before `/:id`, which would
 * otherwise take "stats" and "requeue" as ids.
 */
export const adminOutboxRoutes: RouteGroup = {
  mount: '/admin/outbox',
  access: 'admin',
  tag: 'admin outbox',
  routes: [
    { method: 'get', path: '/', handler: listOutboxEventsHandler, doc: { summary: 'Outbox events, newest first', query: listOutboxQuerySchema, response: outboxEventPageSchema, errors: ['validation_error', 'forbidden'] } },
    { method: 'get', path: '/stats', handler: getOutboxStatsHandler, doc: { summary: 'Counts per status and the oldest pending age', query: outboxStatsQuerySchema, response: outboxStatsSchema, errors: ['validation_error', 'forbidden'] } },
    { method: 'post', path: '/requeue', handler: requeueOutboxEventsHandler, doc: { summary: 'Requeue failed or processed events in bulk (audited)', body: bulkRequeueBodySchema, status: 202, response: bulkRequeuedSchema, errors: ['validation_error', 'forbidden'] } },
    { method: 'get', path: '/:id', handler: getOutboxEventHandler, doc: { summary: 'One event with its deliveries', params: eventIdParamsSchema, response: eventWithDeliveriesSchema, errors: ['validation_error', 'forbidden', 'not_found'] } },
    { method: 'post', path: '/:id/requeue', handler: requeueOutboxEventHandler, doc: { summary: 'Requeue one event: broadcast and mailed again at generation + 1 (audited)', params: eventIdParamsSchema, status: 202, response: requeuedEventSchema, errors: ['validation_error', 'forbidden', 'not_found', 'already_queued'] } },
  ],
};
