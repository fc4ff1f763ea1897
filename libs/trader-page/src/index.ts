/**
 * `@execn/trader-page`: the traders' web page (HTML + a browser bundle of
 * `src/page/main.ts` built into dist/page.js by `npm run build`), served by
 * an express Router the api mounts.
 */
export { createTraderPageRouter, type TraderPageOptions } from './page-router';
