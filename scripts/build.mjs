// `npm run build`: bundles each app into apps/<app>/dist/main.js with esbuild.
// Workspace libs (TypeScript sources) are bundled in; npm dependencies stay external.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
const apps = readdirSync(path.join(root, 'apps')).filter((a) => existsSync(path.join(root, 'apps', a, 'src', 'main.ts')));

await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [path.join(root, 'apps', app, 'src', 'main.ts')],
      outfile: path.join(root, 'apps', app, 'dist', 'main.js'),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: true,
      external,
      logLevel: 'warning',
    }),
  ),
);
process.stdout.write(`built ${apps.map((a) => `apps/${a}/dist/main.js`).join(', ')}\n`);

// The trader page's browser script: everything bundled in (socket.io-client included), no Node imports.
const page = path.join(root, 'libs', 'trader-page', 'src', 'page', 'main.ts');
if (existsSync(page)) {
  await build({
    entryPoints: [page],
    outfile: path.join(root, 'libs', 'trader-page', 'dist', 'page.js'),
    bundle: true,
    platform: 'browser',
    target: ['es2020'],
    format: 'iife',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  process.stdout.write('built libs/trader-page/dist/page.js\n');
}
