import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LOCK_PATH = path.join(os.tmpdir(), 'execn-load-test.lock');

/**
 * Takes the machine-wide lock of the tests that put a steady load through a
 * fault (or a large backlog through several processes); resolves its release.
 *
 * Each of them needs most of the 2 cores: two at once starve each other, and
 * what fails then is the machine's spare CPU, not the system under test. Jest
 * runs test files in parallel workers, so they take this lock (a file created
 * with O_EXCL holding the owner's pid; a lock whose owner is gone is taken
 * over) in `beforeAll` and release it in `afterAll`. Light test files go on
 * in the other worker meanwhile.
 */
export async function acquireLoadTestLock(timeoutMs = 600_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(LOCK_PATH, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(LOCK_PATH, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!ownerAlive()) rmSync(LOCK_PATH, { force: true });
    if (Date.now() > deadline) throw new Error(`load-test lock ${LOCK_PATH} still held after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function ownerAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(LOCK_PATH, 'utf8'));
  } catch {
    return true; // just released, or being written: look again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
