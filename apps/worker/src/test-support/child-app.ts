import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

/** An app running as a real child process (`node --import tsx apps/<app>/src/main.ts`). */
export interface ChildApp {
  process: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  output: () => string;
}

/** Starts `apps/<app>/src/main.ts` in its own process with `env`; stdout/stderr are kept for diagnostics. */
export function spawnApp(app: 'poller' | 'worker', env: NodeJS.ProcessEnv): ChildApp {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'apps', app, 'src', 'main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { process: child, exited, output: () => out };
}

/** Kills a child that is still running (test cleanup). */
export async function killIfRunning(child: ChildApp | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGKILL');
  await child.exited;
}
