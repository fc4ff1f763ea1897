import path from 'node:path';
import { Router } from 'express';
import { securityHeaders } from '@execn/observability';

/** Where the reference page lives; `/openapi.json` is the document itself. */
export const REFERENCE_PAGE_PATH = '/docs';
export const OPENAPI_PATH = '/openapi.json';

/** The page: Swagger UI's own static build (`swagger-ui-dist`), nothing inline, started by `init.js`. */
const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>exec-notify REST API reference</title>
<link rel="stylesheet" href="${REFERENCE_PAGE_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${REFERENCE_PAGE_PATH}/swagger-ui-bundle.js"></script>
<script src="${REFERENCE_PAGE_PATH}/init.js"></script>
</body>
</html>
`;

/** Started from a file, not inline, so the CSP needs no `'unsafe-inline'` script. */
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(OPENAPI_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

/**
 * `/openapi.json` (the document, JSON with the app's data CSP) and the
 * reference page at `/docs`. The page's CSP: its own scripts and styles;
 * `'unsafe-inline'` styles because Swagger UI sets style attributes as it
 * renders (styles only: no script runs from them); `fetch` to its own origin
 * (the document, and "Try it out" against this api).
 */
export function referencePageRouter(document: object): Router {
  const router = Router();
  const body = JSON.stringify(document);
  router.get(OPENAPI_PATH, (_req, res) => {
    res.set('cache-control', 'no-cache').type('json').send(body);
  });
  const pageHeaders = securityHeaders({
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'form-action': ["'self'"],
  });
  router.use(REFERENCE_PAGE_PATH, pageHeaders);
  router.get(REFERENCE_PAGE_PATH, (_req, res) => {
    res.set('cache-control', 'no-cache').type('html').send(PAGE_HTML);
  });
  router.get(`${REFERENCE_PAGE_PATH}/init.js`, (_req, res) => {
    res.set('cache-control', 'no-cache').type('application/javascript').send(INIT_JS);
  });
  const dist = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  // Only the two files the page loads, not the package's demo index or its petstore initializer.
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
    router.get(`${REFERENCE_PAGE_PATH}/${file}`, (_req, res) => res.sendFile(path.join(dist, file), { maxAge: '1h' }));
  }
  return router;
}

