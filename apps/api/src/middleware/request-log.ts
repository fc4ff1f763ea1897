import type { Logger } from '@execn/observability';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';

const METRIC = 'http_request_duration_seconds';

/** `res.locals` key a middleware that answers before any route sets to the route pattern it answered for. */
export const ROUTE_LABEL = 'routeLabel';

/** The api's request duration histogram, registered once per registry. */
function requestHistogram(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  const existing = registry.getSingleMetric(METRIC);
  if (existing) return existing as Histogram<'method' | 'route' | 'status'>;
  return new Histogram({
    name: METRIC,
    help: 'api HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
}

/**
 * Marks the pattern a router is mounted at, as the first handler of its
 * `app.use(pattern, …)`. Needed because `req.baseUrl` is the path as the
 * client spelled it (Express matches mounts case-insensitively: labelled by
 * it, `/V1/Execution-REPORTS` and each of its case variants would be a new
 * series on an unauthenticated `/metrics`), and is reset to '' once an error
 * leaves the router.
 */
export function mountedAt(pattern: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.routeMount = pattern;
    next();
  };
}

/**
 * The route label: only patterns, never anything the client wrote, so the
 * label set is bounded by the routes the code declares. A request no route
 * answered is `unmatched`. The mount is the last one the request entered: a
 * router mounted at the root after it cannot match a path under that prefix.
 */
export function routeLabel(req: Request, res: Response): string {
  if (typeof res.locals[ROUTE_LABEL] === 'string') return res.locals[ROUTE_LABEL];
  const path: unknown = req.route?.path;
  if (path === undefined) return 'unmatched';
  const mount = typeof res.locals.routeMount === 'string' ? res.locals.routeMount : '';
  return `${mount}${String(path)}`;
}

/**
 * Times every request into the histogram (labelled by route pattern, not raw
 * path, so ids and spellings do not explode the label set) and logs one debug
 * line per request.
 */
export function requestLog(log: Logger, registry: Registry) {
  const histogram = requestHistogram(registry);
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe({ method: req.method, route: routeLabel(req, res), status: String(res.statusCode) }, seconds);
      if (log.isLevelEnabled('debug')) {
        log.debug({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: seconds * 1000 }, 'request');
      }
    });
    next();
  };
}
