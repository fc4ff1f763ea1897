import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** The repository root (this file is libs/testing/src). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** An app of the stack running as a child process from its sources (`node --import tsx`), for tests. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** The port it logged (`"port":N`), when it logs one. */
  port: number | undefined;
  output: () => string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it is gone. */
  stop: () => Promise<void>;
}

/**
 * Starts `apps/<app>/src/main.ts` with `env` and waits until its output
 * matches `ready` (a pino line; the first `"port":N` in it is captured).
 */
export async function startAppProcess(app: string, env: Record<string, string>, ready: RegExp): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps', app, 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number | undefined>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${app} did not get ready in 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => ready.test(l));
      if (line) {
        clearTimeout(timer);
        const m = /"port":(\d+)/.exec(line);
        resolve(m ? Number(m[1]) : undefined);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${app} exited before it was ready:\n${out}`));
    });
  });
  return {
    name: app,
    child,
    port,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
