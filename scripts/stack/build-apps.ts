/**
 * Builds the app bundles when a source is newer than its bundle (or a bundle
 * is missing), so `npm start` always runs the code in the working tree without
 * rebuilding, and rewriting, bundles that are already up to date.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { forEachLine } from './log-format';
import { isProcessAlive } from '@execn/testing';
import { StackError } from './stack-error';
import type { StackOutput } from './stack-output';

function newestMtimeMs(dir: string): number {
  let newest = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = path.join(dir, e);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtimeMs(p) : st.mtimeMs);
  }
  return newest;
}

/** Apps with a `src/main.ts` (what `npm run build` produces a bundle for). */
export function buildableApps(root: string): string[] {
  const appsDir = path.join(root, 'apps');
  if (!existsSync(appsDir)) return [];
  return readdirSync(appsDir).filter((a) => existsSync(path.join(appsDir, a, 'src', 'main.ts'))).sort();
}

/** The apps whose bundle is missing or older than their sources or any lib's. */
export function staleApps(root: string): string[] {
  const libs = path.join(root, 'libs');
  const libsNewest = existsSync(libs) ? Math.max(0, ...readdirSync(libs).map((l) => newestMtimeMs(path.join(libs, l, 'src')))) : 0;
  return buildableApps(root).filter((app) => {
    const bundle = path.join(root, 'apps', app, 'dist', 'main.js');
    if (!existsSync(bundle)) return true;
    const built = statSync(bundle).mtimeMs;
    return Math.max(libsNewest, newestMtimeMs(path.join(root, 'apps', app, 'src'))) > built;
  });
}

/**
 * Holds `<root>/.data/build.lock` while building: two stacks (or two test files)
 * starting at once must not write the same bundles together. A lock left by a
 * process that is gone is taken over.
 */
async function withBuildLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const dir = path.join(root, '.data');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const lock = path.join(dir, 'build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lock, 'utf8').trim() || 0);
      if (holder && !isProcessAlive(holder)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new StackError(`another build holds ${lock} (pid ${holder}) for over 2 minutes`);
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Runs `npm run build`'s script when something is stale; returns whether it built. */
export async function buildIfNeeded(root: string, out: StackOutput): Promise<boolean> {
  if (staleApps(root).length === 0) {
    out.info('build', 'bundles are up to date');
    return false;
  }
  return withBuildLock(root, async () => {
    // Another process may have built while we waited for the lock.
    const stale = staleApps(root);
    if (stale.length === 0) {
      out.info('build', 'bundles are up to date');
      return false;
    }
    out.info('build', `building (${stale.join(', ')} changed)`);
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    forEachLine(child.stdout!, (l) => out.info('build', l));
    forEachLine(child.stderr!, (l) => out.error('build', l));
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', resolve);
      child.once('error', () => resolve(127));
    });
    if (code !== 0) throw new StackError('the build failed (see the [build] lines above); fix it, then npm start again');
    return true;
  });
}
