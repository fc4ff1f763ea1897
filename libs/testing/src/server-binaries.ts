/**
 * Finds installed PostgreSQL and Redis server programs, so `npm start` and tests can run
 * private instances of them when none is reachable. Debian/Ubuntu keep
 * PostgreSQL's programs off the PATH, in /usr/lib/postgresql/<major>/bin.
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Server programs found on this machine. */
export interface ServerBinaries {
  postgres?: { initdb: string; postgres: string; binDir: string };
  redisServer?: string;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Candidate PostgreSQL bin directories, newest major version first, then the PATH. */
function postgresBinDirs(pathDirs: string[]): string[] {
  const dirs: string[] = [];
  for (const base of ['/usr/lib/postgresql', '/usr/local/opt']) {
    let entries: string[] = [];
    try {
      entries = readdirSync(base);
    } catch {
      continue;
    }
    const versions = entries
      .filter((e) => (base === '/usr/lib/postgresql' ? /^\d+(\.\d+)?$/.test(e) : /^postgresql(@\d+)?$/.test(e)))
      .sort((a, b) => Number(b.replace(/\D+/g, '') || 0) - Number(a.replace(/\D+/g, '') || 0));
    dirs.push(...versions.map((v) => path.join(base, v, 'bin')));
  }
  return [...dirs, ...pathDirs];
}

/**
 * Looks for `initdb` + `postgres` (in the same directory) and `redis-server`.
 * @param pathEnv the PATH to search besides the well-known PostgreSQL folders
 */
export function findServerBinaries(pathEnv: string): ServerBinaries {
  const pathDirs = pathEnv.split(path.delimiter).filter(Boolean);
  const found: ServerBinaries = {};
  for (const dir of postgresBinDirs(pathDirs)) {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) {
      found.postgres = { initdb, postgres, binDir: dir };
      break;
    }
  }
  const redis = pathDirs.map((d) => path.join(d, 'redis-server')).find(isExecutable);
  if (redis) found.redisServer = redis;
  return found;
}

/** uid/gid of a system user from /etc/passwd, or undefined when there is none. */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name && uid !== undefined && gid !== undefined) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}
