import type { Logger } from '@execn/observability';
import type { NextFunction, Request, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';

const METRIC = 'http_request_duration_seconds';

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
 * Times every request into the histogram (labelled by route pattern, not raw
 * path, so ids do not explode the label set) and logs one debug line per request.
 */
export function requestLog(log: Logger, registry: Registry) {
  const histogram = requestHistogram(registry);
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      histogram.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (log.isLevelEnabled('debug')) {
        log.debug({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: seconds * 1000 }, 'request');
      }
    });
    next();
  };
}
