import type { RouteGroup } from '../http/api-route';
import { adminOutboxRoutes } from './admin-outbox.routes';
import { adminRoutes } from './admin.routes';
import { executionReportsRoutes } from './execution-reports.routes';
import { notificationPreferencesRoutes } from './notification-preferences.routes';
import { ordersRoutes } from './orders.routes';

/**
 * Every REST route group, in mount order (`/admin/outbox` before `/admin`).
 * `createApp` mounts them and the OpenAPI document describes them: a group
 * missing here is neither served nor documented.
 */
export const ROUTE_GROUPS: readonly RouteGroup[] = [ordersRoutes, executionReportsRoutes, notificationPreferencesRoutes, adminOutboxRoutes, adminRoutes];
