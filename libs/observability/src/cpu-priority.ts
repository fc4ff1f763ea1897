import { readdirSync } from 'node:fs';
import os from 'node:os';

/**
 * Lowers this process's CPU priority to `nice` (Unix niceness, 1-19; lowering needs no privilege). On Linux a
 * nice value belongs to each thread and `setpriority` on the process id reaches only the main thread, so every
 * thread already running (libuv's pool, V8's helpers) is set too, by its id from /proc/self/task; threads
 * started later inherit it from the thread that starts them. Returns how many threads it set (1 where there
 * is no /proc); throws when the main thread could not be set.
 */
export function lowerCpuPriority(nice: number): number {
  os.setPriority(nice);
  let threads = 1;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      if (Number(tid) === process.pid) continue;
      try {
        os.setPriority(Number(tid), nice);
        threads++;
      } catch {
        // the thread ended meanwhile
      }
    }
  } catch {
    // no /proc: the main thread, where the JavaScript runs, is set
  }
  return threads;
}
