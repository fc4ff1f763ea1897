import type { z } from 'zod';
import { CONFIG_BLOCKS, type ConfigBlockName } from './blocks';
import { ConfigError } from './config-error';

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The settings of the blocks `K`: the output of their schemas, merged. */
export type ConfigOf<K extends ConfigBlockName> = UnionToIntersection<{ [P in K]: z.output<(typeof CONFIG_BLOCKS)[P]> }[K]>;

/** Every block's settings (tests, `npm start`, scripts); a process reads only its own (`loadConfigOf`). */
export type Config = ConfigOf<ConfigBlockName>;

const ALL_BLOCKS = Object.keys(CONFIG_BLOCKS) as ConfigBlockName[];

/**
 * Parses and validates the blocks `blocks` from the environment. Throws a
 * `ConfigError` naming the first bad variable; `main` prints its message and exits 1.
 */
export function loadConfigOf<K extends ConfigBlockName>(blocks: readonly K[], env: NodeJS.ProcessEnv = process.env): ConfigOf<K> {
  const config: Record<string, unknown> = {};
  for (const name of ALL_BLOCKS) {
    if (!(blocks as readonly ConfigBlockName[]).includes(name)) continue;
    const parsed = CONFIG_BLOCKS[name].safeParse(env);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      // The rule, never the value: a value may be a secret (a password in a URL) and this line ends up in logs.
      throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
    }
    Object.assign(config, parsed.data);
  }
  return config as ConfigOf<K>;
}

/** Every block: what a test or a script that starts several processes reads. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfigOf(ALL_BLOCKS, env);
}

/**
 * For a process's `main`: `loadConfigOf(blocks)`, or on a bad setting print its one
 * line (naming the variable) to stderr and exit 1, as CONTRACT section 2 asks.
 */
export function loadConfigOrExit<K extends ConfigBlockName>(blocks: readonly K[], env: NodeJS.ProcessEnv = process.env): ConfigOf<K> {
  try {
    return loadConfigOf(blocks, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
