import { notificationPreferencesSchema } from '@execn/contracts';
import { createAccountHandler } from '../handlers/create-account.handler';
import { createInstrumentHandler } from '../handlers/create-instrument.handler';
import { getAccountNotificationPreferencesHandler } from '../handlers/get-account-notification-preferences.handler';
import { listAuditHandler } from '../handlers/list-audit.handler';
import { updateInstrumentHandler } from '../handlers/update-instrument.handler';
import type { RouteGroup } from '../http/api-route';
import { accountSchema, auditPageSchema, instrumentSchema } from '../schemas/admin-responses.schemas';
import {
  accountIdParamsSchema,
  createAccountBodySchema,
  createInstrumentBodySchema,
  instrumentSymbolParamsSchema,
  updateInstrumentBodySchema,
} from '../schemas/admin.schemas';
import { listAuditQuerySchema } from '../schemas/query.schemas';

/** Admin accounts (and their notification preferences, read only), instruments and the audit log. Each entry is the route and its OpenAPI operation. */
export const adminRoutes: RouteGroup = {
  mount: '/admin',
  access: 'admin',
  tag: 'admin',
  routes: [
    { method: 'post', path: '/accounts', handler: createAccountHandler, doc: { summary: 'Create an account (audited)', body: createAccountBodySchema, status: 201, response: accountSchema, errors: ['validation_error', 'forbidden', 'already_exists'] } },
    { method: 'get', path: '/accounts/:id/notification-preferences', handler: getAccountNotificationPreferencesHandler, doc: { summary: "An account's notification preferences (read only)", params: accountIdParamsSchema, response: notificationPreferencesSchema, errors: ['validation_error', 'forbidden', 'not_found'] } },
    { method: 'post', path: '/instruments', handler: createInstrumentHandler, doc: { summary: 'Create an instrument (audited)', body: createInstrumentBodySchema, status: 201, response: instrumentSchema, errors: ['validation_error', 'forbidden', 'already_exists'] } },
    { method: 'patch', path: '/instruments/:symbol', handler: updateInstrumentHandler, doc: { summary: 'Halt or resume an instrument (audited)', params: instrumentSymbolParamsSchema, body: updateInstrumentBodySchema, response: instrumentSchema, errors: ['validation_error', 'forbidden', 'not_found'] } },
    { method: 'get', path: '/audit', handler: listAuditHandler, doc: { summary: 'Audit entries, newest first', query: listAuditQuerySchema, response: auditPageSchema, errors: ['validation_error', 'forbidden'] } },
  ],
};
