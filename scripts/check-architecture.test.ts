import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(__dirname, 'check-architecture.mjs');

/** Runs the check on a tree made of `files` (path -> text); returns its exit status and output. */
function checkTree(files: Record<string, string>): { status: number | null; output: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'arch-'));
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const clean = {
  'libs/a/src/index.ts': "export { x } from './x';\n",
  'libs/a/src/x.ts': "import type { Y } from './y';\nexport const x = (y: Y) => y;\n",
  'libs/a/src/y.ts': 'export type Y = number;\n',
  'apps/api/src/main.ts': "import { x } from '@execn/a';\nimport { start } from './server';\nstart(x);\n",
  'apps/api/src/server.ts': 'export function start(_: unknown) {}\n',
  'apps/ws/src/main.ts': "import { x } from '@execn/a';\nx(1);\n",
};

describe('architecture check', () => {
  it('passes a tree that keeps the rules', () => {
    const { status, output } = checkTree(clean);
    expect(output).toContain('no cycle, layering respected');
    expect(status).toBe(0);
  });

  it('refuses two files that import each other, type-only imports included', () => {
    const { status, output } = checkTree({ ...clean, 'libs/a/src/y.ts': "import type { x } from './x';\nexport type Y = typeof x extends never ? 0 : number;\n" });
    expect(status).toBe(1);
    expect(output).toContain('file import cycle: libs/a/src/x.ts -> libs/a/src/y.ts -> libs/a/src/x.ts');
  });

  it('refuses a longer file cycle through a lib index', () => {
    const { status, output } = checkTree({ ...clean, 'libs/a/src/y.ts': "import { x } from '@execn/a';\nexport type Y = number;\nvoid x;\n" });
    expect(status).toBe(1);
    expect(output).toMatch(/file import cycle: .*libs\/a\/src\/index\.ts/);
  });

  it.each([
    ['by package name', "import { s } from '@execn/app-ws';\n"],
    ['by a relative path', "import { s } from '../../ws/src/main';\n"],
    ['by a path through apps/', "import { s } from 'apps/ws/src/main';\n"],
    ['by require', "const s = require('../../ws/src/main');\n"],
    ['by a side-effect import', "import '../../ws/src/main';\n"],
  ])('refuses an app importing another app %s', (_how, line) => {
    const { status, output } = checkTree({ ...clean, 'apps/api/src/server.ts': `${line}export function start(_: unknown) {}\n` });
    expect(status).toBe(1);
    expect(output).toContain('apps/api/src/server.ts: an app imports another app');
  });

  it('refuses a lib importing an app', () => {
    const { status, output } = checkTree({ ...clean, 'libs/a/src/y.ts': "import '@execn/app-api';\nexport type Y = number;\n" });
    expect(status).toBe(1);
    expect(output).toContain('libs/a/src/y.ts: a lib imports an app');
  });
});
