/**
 * A database or cache server run by `npm start` or a test (private PostgreSQL or Redis):
 * its own process group, output appended to a log file, stopped with the
 * server's own clean-shutdown signal and only then forced.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** How a process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of `startServerProcess`. */
export interface ServerProcessOptions {
  command: string;
  args: string[];
  /** Appended with the server's stdout and stderr. */
  logFile: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  runAs?: { uid: number; gid: number };
  env?: NodeJS.ProcessEnv;
}

/** A running server process. */
export interface ServerProcess {
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<ExitStatus>;
  /** True until the process exits. */
  isRunning(): boolean;
  /**
   * Sends `signal`, waits up to `timeoutMs`, then SIGKILLs the process group.
   * Safe to call twice (the second call waits for the first).
   */
  stop(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitStatus>;
}

/** Last `lines` lines of a log file, for error messages. */
export function tailFile(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Spawns a server detached (Ctrl-C in the terminal reaches only `npm start`, which stops servers last). */
export function startServerProcess(options: ServerProcessOptions): ServerProcess {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: options.env ?? process.env,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  });
  closeSync(fd);
  let running = true;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
    child.once('error', () => {
      running = false;
      resolve({ code: 127, signal: null });
    });
  });
  let stopping: Promise<ExitStatus> | undefined;
  return {
    pid: child.pid ?? -1,
    exited,
    isRunning: () => running,
    stop: (signal, timeoutMs) =>
      (stopping ??= (async () => {
        if (!running) return exited;
        child.kill(signal);
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
        if ((await Promise.race([exited, timer])) === 'timeout' && child.pid) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }
        return exited;
      })()),
  };
}

/** True when a process with this pid exists (and, on Linux, its command name contains `name`). */
export function isProcessAlive(pid: number, name?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user (e.g. postgres while we are not root).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // A zombie has exited; it only waits for its parent to read its status.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return !name || readFileSync(`/proc/${pid}/comm`, 'utf8').includes(name);
  } catch {
    return true;
  }
}

/** Waits until `pid` is gone or `timeoutMs` passed; returns true when gone. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isProcessAlive(pid);
}
