// Bundles `npm run db:migrate` (scripts/migrate.ts) into scripts/dist/migrate/main.js
// for the container image, which has no TypeScript runner. Same externals as
// scripts/build.mjs. The bundle sits three folders below the root, like the app
// bundles, so @execn/db finds drizzle/ at the same relative place.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outfile = path.join(root, 'scripts', 'dist', 'migrate', 'main.js');
await build({
  entryPoints: [path.join(root, 'scripts', 'migrate.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
  logLevel: 'warning',
});
process.stdout.write(`built ${path.relative(root, outfile)}\n`);
