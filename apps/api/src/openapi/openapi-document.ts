import { apiErrorBodySchema } from '@execn/contracts';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { z } from 'zod';
import type { ApiRoute, RouteErrorCode, RouteGroup } from '../http/api-route';
import { HEALTH_PATHS } from '../routes/health.routes';

/** The HTTP status of each error code a route may list (CONTRACT section 5). */
const ERROR_STATUS: Record<RouteErrorCode | 'unauthorized' | 'unavailable' | 'internal_error', number> = {
  validation_error: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_account: 403,
  not_found: 404,
  duplicate_client_order_id: 409,
  order_not_cancelable: 409,
  already_exists: 409,
  already_queued: 409,
  resume_horizon: 410,
  payload_too_large: 413,
  internal_error: 500,
  rate_limited: 429,
  overloaded: 503,
  unavailable: 503,
};

/** Errors every authenticated route may answer. */
const COMMON_ERRORS = ['unauthorized', 'internal_error', 'unavailable'] as const;

/** Codes that come with `Retry-After` (seconds). */
const RETRY_AFTER_CODES = new Set(['rate_limited', 'overloaded', 'unavailable']);

const retryAfterHeader = z.object({
  'Retry-After': z.string().meta({ description: 'seconds to wait before retrying' }),
});

/** Express `/:id/requeue` → OpenAPI `/{id}/requeue`. */
const openApiPath = (mount: string, path: string): string =>
  (mount + (path === '/' ? '' : path)).replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** An operationId from the method and path: `post /v1/orders/{id}` → `postV1OrdersById`. */
function operationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith('{') ? `by-${part.slice(1, -1)}` : part))
    .flatMap((part) => part.split(/[-_]/));
  return method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function responsesOf(route: ApiRoute): ZodOpenApiResponsesObject {
  const { doc } = route;
  const responses: ZodOpenApiResponsesObject = {
    [String(doc.status ?? 200)]: { description: doc.summary, content: { 'application/json': { schema: doc.response } } },
  };
  // One response per status, naming every code it may carry.
  const byStatus = new Map<number, string[]>();
  for (const code of [...(doc.errors ?? []), ...COMMON_ERRORS]) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status) as `4${string}`] = {
      description: codes.map((c) => `\`${c}\``).join(', '),
      content: { 'application/json': { schema: apiErrorBodySchema } },
      ...(codes.some((c) => RETRY_AFTER_CODES.has(c)) ? { headers: retryAfterHeader } : {}),
    };
  }
  return responses;
}

function operationOf(group: RouteGroup, route: ApiRoute): ZodOpenApiOperationObject {
  const { doc } = route;
  return {
    operationId: operationId(route.method, openApiPath(group.mount, route.path)),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [group.tag],
    security: [{ bearer: [] }],
    ...(doc.params || doc.query ? { requestParams: { ...(doc.params ? { path: doc.params } : {}), ...(doc.query ? { query: doc.query } : {}) } } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: doc.body } } } } : {}),
    responses: responsesOf(route),
  };
}

/** Document metadata. */
export interface OpenApiInfo {
  version: string;
}

/**
 * The REST API's OpenAPI 3.1 document, generated (by `zod-openapi`) from the
 * route groups' zod schemas: the ones the handlers validate with and the
 * shapes they answer. Nothing in it is written twice.
 */
export function createOpenApiDocument(groups: readonly RouteGroup[], info: OpenApiInfo) {
  const paths: ZodOpenApiPathsObject = {};
  for (const group of groups) {
    for (const route of group.routes) {
      const path = openApiPath(group.mount, route.path);
      paths[path] = { ...paths[path], [route.method]: operationOf(group, route) };
    }
  }
  for (const health of HEALTH_PATHS) {
    paths[health.path] = {
      get: {
        operationId: operationId('get', health.path),
        summary: health.summary,
        tags: ['operations'],
        security: [],
        responses: {
          '200': { description: health.summary, content: { [health.contentType]: { schema: health.schema } } },
          ...(health.path === '/metrics' ? {} : { '503': { description: 'not live or not ready', content: { [health.contentType]: { schema: health.schema } } } }),
        },
      },
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'exec-notify REST API',
      version: info.version,
      description:
        'Orders, execution reports and admin operations of exec-notify (CONTRACT section 5). ' +
        'Errors are `{"error": {code, message, details?}}`; 429 and 503 come with `Retry-After` (seconds). ' +
        'Real-time reports arrive over Socket.IO (CONTRACT section 6), not described here.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [{ url: '/', description: 'this api' }],
    tags: [
      { name: 'orders', description: 'Place, cancel and read orders' },
      { name: 'execution reports', description: 'The account report log, by seq' },
      { name: 'admin', description: 'Accounts, instruments, audit (role admin)' },
      { name: 'admin outbox', description: 'Browse and repair the outbox (role admin)' },
      { name: 'operations', description: 'Health and metrics' },
    ],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    paths,
  });
}
