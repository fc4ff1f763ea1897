import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ExitStatus } from './server-process';

/** The repository root (this file is libs/testing/src). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** An app of the stack running as a child process from its sources (`node --import tsx`), for tests. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** The port it logged (`"port":N`) in its ready line, when started with one that has it. */
  port: number | undefined;
  /** Everything it wrote to stdout and stderr, for assertions and failure messages. */
  output: () => string;
  /** Resolves with its exit code or signal once it has exited. */
  exited: Promise<ExitStatus>;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it is gone. */
  stop: () => Promise<void>;
  /** SIGKILL when still running (test cleanup); resolves once it is gone. */
  kill: () => Promise<void>;
}

/**
 * Spawns `apps/<app>/src/main.ts` with `env` over this process's environment
 * (`NODE_ENV=test`, `LOG_LEVEL=info` unless `env` says otherwise), without
 * waiting for it: see `startAppProcess` for that.
 */
export function spawnAppProcess(app: string, env: NodeJS.ProcessEnv): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps', app, 'src', 'main.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name: app,
    child,
    port: undefined,
    output: () => out,
    exited,
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    kill: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Starts `apps/<app>/src/main.ts` with `env` (see `spawnAppProcess`) and waits
 * until its output has a line matching `ready` (a pino line; the first
 * `"port":N` in it is captured). Rejects, with the output, when it exits
 * first or is not ready within `readyTimeoutMs`.
 */
export async function startAppProcess(
  app: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  readyTimeoutMs = 30_000,
): Promise<AppProcess> {
  const proc = spawnAppProcess(app, env);
  const readyLine = () => proc.output().split('\n').find((l) => ready.test(l));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      stopListening();
      reject(new Error(`${app} did not get ready in ${readyTimeoutMs / 1000} s:\n${proc.output()}`));
    }, readyTimeoutMs);
    // Registered after spawnAppProcess's own listeners, so the chunk is already in the output.
    const onData = () => {
      const found = readyLine();
      if (found === undefined) return;
      stopListening();
      resolve(found);
    };
    const stopListening = () => {
      clearTimeout(timer);
      proc.child.stdout!.off('data', onData);
      proc.child.stderr!.off('data', onData);
    };
    proc.child.stdout!.on('data', onData);
    proc.child.stderr!.on('data', onData);
    void proc.exited.then(() => {
      // Its last output may hold the ready line, e.g. a process that logs it and exits at once.
      const found = readyLine();
      stopListening();
      if (found === undefined) reject(new Error(`${app} exited before it was ready:\n${proc.output()}`));
      else resolve(found);
    });
  });
  const port = /"port":(\d+)/.exec(line)?.[1];
  return { ...proc, port: port === undefined ? undefined : Number(port) };
}
