import { readFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_ROOT = path.resolve(__dirname, '..');

/**
 * The README's whole-session example is `examples/trader-session.ts`, shown
 * whole. The file is type-checked and run against the whole stack (in
 * libs/trader-page/src/trader-page-pipeline.int.test.ts, which has it running
 * already); this keeps the README from drifting from it.
 */
it('the SDK README shows examples/trader-session.ts verbatim', () => {
  const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const shown = /<!-- example:start examples\/trader-session\.ts -->\n```ts\n([\s\S]*?)```\n<!-- example:end -->/.exec(readme)?.[1];
  expect(shown).toBe(readFileSync(path.join(PACKAGE_ROOT, 'examples/trader-session.ts'), 'utf8'));
});
