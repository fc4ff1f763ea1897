/**
 * Settings of the local stack runner itself (not of any app, so they are not
 * in libs/config): parsed once from the runner's environment, and the ports
 * every process will use, with port 0 resolved to free ports and taken ports
 * reported by the variable that sets them.
 */
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '@execn/config';
import { findFreePort, isPortFree } from '@execn/testing';
import { StackError } from './stack-error';

const port = (defaultValue: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'expected a port number' })
    .transform(Number)
    .pipe(z.number().int().min(0).max(65535))
    .optional()
    .transform((v) => v ?? defaultValue);

const optionsSchema = z.object({
  MAIL_UI_PORT: port(1080),
  STACK_DATA_DIR: z.string().min(1).optional(),
  STACK_READY_TIMEOUT_MS: z.string().regex(/^\d+$/).transform(Number).optional().transform((v) => v ?? 90_000),
});

/** The runner's own settings. */
export interface StackOptions {
  /** Mail page port. @default 1080 */
  mailUiPort: number;
  /** Private PostgreSQL/Redis data. @default `<repo>/.data` */
  dataDir: string;
  /** How long to wait for every process to be ready before printing the banner anyway. @default 90_000 */
  readyTimeoutMs: number;
}

/** Parses the runner's settings; a bad value stops it with one line naming the variable. */
export function loadStackOptions(env: NodeJS.ProcessEnv, root: string): StackOptions {
  const parsed = optionsSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    // The rule, never the value (as libs/config): a value may be a secret, and this line is printed.
    throw new StackError(`Invalid configuration: ${variable}: ${issue.message}`);
  }
  const o = parsed.data;
  return {
    mailUiPort: o.MAIL_UI_PORT,
    dataDir: path.resolve(root, o.STACK_DATA_DIR ?? '.data'),
    readyTimeoutMs: o.STACK_READY_TIMEOUT_MS,
  };
}

/** First metrics port of the stack (poller), when METRICS_PORT is not set. */
export const DEFAULT_METRICS_PORT = 9101;

/** Every port of the stack, concrete. */
export interface StackPorts {
  api: number;
  ws: number[];
  /** poller, worker-1, worker-2 */
  metrics: number[];
  smtp: number;
  mailUi: number;
}

async function concrete(p: number, variable: string, taken: Set<number>): Promise<number> {
  if (p === 0) {
    let free: number;
    do free = await findFreePort();
    while (taken.has(free));
    taken.add(free);
    return free;
  }
  if (taken.has(p) || !(await isPortFree(p, '0.0.0.0'))) {
    throw new StackError(`port ${p} (${variable}) is already in use: stop what listens there, or set ${variable} to another port (0 = any free port)`);
  }
  taken.add(p);
  return p;
}

/**
 * Resolves the ports: 2 ws nodes on WS_PORT and WS_PORT + 1; the poller and the
 * 2 workers on METRICS_PORT (default 9101) and the next two. The SMTP port is
 * left as configured: the caller decides whether it can run its sink there.
 */
export async function resolveStackPorts(config: Config, options: StackOptions, wsNodes: number, metricsProcesses: number): Promise<StackPorts> {
  const taken = new Set<number>();
  const api = await concrete(config.apiPort, 'API_PORT', taken);
  const ws: number[] = [];
  for (let i = 0; i < wsNodes; i++) ws.push(await concrete(config.wsPort === 0 ? 0 : config.wsPort + i, 'WS_PORT', taken));
  const metricsBase = config.metricsPort ?? DEFAULT_METRICS_PORT;
  const metrics: number[] = [];
  for (let i = 0; i < metricsProcesses; i++) metrics.push(await concrete(metricsBase === 0 ? 0 : metricsBase + i, 'METRICS_PORT', taken));
  const smtp = Number(new URL(config.smtpUrl).port || 25);
  const mailUi = await concrete(options.mailUiPort, 'MAIL_UI_PORT', taken);
  return { api, ws, metrics, smtp, mailUi };
}
