import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import { securityHeaders } from '@execn/observability';
import { traderPageCsp } from './page-csp';
import { TRADER_PAGE_HTML } from './page-html';

/** Options of `createTraderPageRouter`. */
export interface TraderPageOptions {
  /** The ws nodes' URLs for browsers; `:3001` means that port on the page's own host. */
  wsUrls: string[];
  /**
   * Ready-made tokens the page offers in a picker (local stack only: never
   * give real credentials to a page anyone can open). @default none
   */
  devTokens?: Array<{ label: string; token: string }>;
  /** Where `page.js` was bundled by `npm run build`. @default libs/trader-page/dist */
  assetsDir?: string;
}

/**
 * The folder holding `page.js`. From sources (tests, tsx) it sits beside src;
 * inside an app bundle (`apps/api/dist/main.js`) `__dirname` is the app's, so
 * the package is found through node_modules instead.
 */
function defaultAssetsDir(): string {
  const candidates = [path.resolve(__dirname, '../dist')];
  try {
    candidates.push(path.join(path.dirname(require.resolve('@execn/trader-page/package.json')), 'dist'));
  } catch {
    // Not resolvable from here: the first candidate stands.
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'page.js'))) ?? candidates[0]!;
}

/**
 * An express Router serving the trader page: `/` (HTML), `/page.js` (the
 * bundled script) and `/page-config.json` (`{wsUrls, devTokens}`). Mount it
 * on the api, which also answers the page's `/v1/orders` calls.
 */
export function createTraderPageRouter(options: TraderPageOptions): Router {
  const router = Router();
  const assetsDir = options.assetsDir ?? defaultAssetsDir();
  const config = JSON.stringify({ wsUrls: options.wsUrls, devTokens: options.devTokens ?? [] });
  let script: Buffer | undefined;
  const headers = securityHeaders(traderPageCsp(options.wsUrls));
  const paths = ['/', '/page-config.json', '/page.js'];
  // Only on the page's own paths: every other response keeps the app's stricter policy.
  router.use((req, res, next) => (paths.includes(req.path) ? headers(req, res, next) : next()));

  router.get('/', (_req: Request, res: Response) => {
    res.set('cache-control', 'no-cache').type('html').send(TRADER_PAGE_HTML);
  });
  router.get('/page-config.json', (_req: Request, res: Response) => {
    res.set('cache-control', 'no-store').type('json').send(config);
  });
  router.get('/page.js', (_req: Request, res: Response) => {
    try {
      script ??= readFileSync(path.join(assetsDir, 'page.js'));
    } catch {
      res.status(503).type('text').send('the trader page script is not built: run `npm run build`');
      return;
    }
    res.set('cache-control', 'no-cache').type('application/javascript').send(script);
  });
  return router;
}
