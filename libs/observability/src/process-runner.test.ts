import { Writable } from 'node:stream';
import pino from 'pino';
import { createApiMetrics } from './metrics';
import { EXIT_CODES, runProcess, type ProcessHost, type ProcessSpec } from './process-runner';

/** A host that records signals, exits and log lines instead of touching the Node process. */
function fakeHost() {
  const handlers = new Map<string, () => void>();
  const lines: Record<string, unknown>[] = [];
  let errors = '';
  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (resolveExit = r));
  const exits: number[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const host: ProcessHost = {
    onSignal: (signal, handler) => handlers.set(signal, handler),
    exit: (code) => {
      exits.push(code);
      resolveExit(code);
    },
    writeError: (text) => (errors += text),
    createLogger: (name, level) => pino({ name, level }, stream),
    metricsOptions: { defaultMetrics: false },
  };
  return {
    host,
    signal: (name: 'SIGTERM' | 'SIGINT') => handlers.get(name)!(),
    lines,
    exits,
    exitCode,
    errors: () => errors,
  };
}

const config = { logLevel: 'info', shutdownTimeoutMs: 2_000 };

const spec = (start: ProcessSpec<typeof config>['start']): ProcessSpec<typeof config> => ({ name: 'test-app', loadConfig: () => config, createMetrics: createApiMetrics, start });

describe('runProcess', () => {
  it('SIGTERM runs every close in order, one that rejects included, logs the failure and exits 0', async () => {
    const h = fakeHost();
    const closed: string[] = [];
    await runProcess(
      spec(async ({ onShutdown }) => {
        onShutdown('intake', async () => void closed.push('intake'));
        onShutdown('queue', async () => {
          closed.push('queue');
          throw new Error('queue close failed');
        });
        onShutdown('database', () => void closed.push('database'));
      }),
      h.host,
    );
    h.signal('SIGTERM');
    expect(await h.exitCode).toBe(0);
    expect(closed).toEqual(['intake', 'queue', 'database']);
    const failure = h.lines.find((l) => l.msg === 'shutdown step failed');
    expect(failure).toMatchObject({ step: 'queue', err: { message: 'queue close failed' } });
  });

  it('a second signal during a stop that hangs exits at once with 128 + the signal number', async () => {
    const h = fakeHost();
    let databaseClosed = false;
    await runProcess(
      spec(async ({ onShutdown }) => {
        onShutdown('hangs', () => new Promise(() => undefined));
        onShutdown('database', () => (databaseClosed = true));
      }),
      h.host,
    );
    h.signal('SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(h.exits).toEqual([]);
    h.signal('SIGINT');
    expect(h.exits).toEqual([EXIT_CODES.forced('SIGINT')]);
    expect(EXIT_CODES.forced('SIGINT')).toBe(130);
    expect(databaseClosed).toBe(false);
  });

  it('past the deadline the stop gives up and exits 0', async () => {
    const h = fakeHost();
    await runProcess(
      { name: 'test-app', loadConfig: () => ({ ...config, shutdownTimeoutMs: 50 }), createMetrics: createApiMetrics, start: async ({ onShutdown }) => onShutdown('hangs', () => new Promise(() => undefined)) },
      h.host,
    );
    h.signal('SIGTERM');
    expect(await h.exitCode).toBe(0);
    expect(h.lines.some((l) => l.msg === 'shutdown deadline reached')).toBe(true);
  });

  it('a start that throws closes what started and exits 1 with the error on stderr', async () => {
    const h = fakeHost();
    let closed = false;
    await runProcess(
      spec(async ({ onShutdown }) => {
        onShutdown('pool', () => (closed = true));
        throw new Error('port in use');
      }),
      h.host,
    );
    expect(h.exits).toEqual([1]);
    expect(closed).toBe(true);
    expect(h.errors()).toMatch(/^test-app failed to start: Error: port in use/);
  });

  it('a config that throws exits 1 before anything starts', async () => {
    const h = fakeHost();
    let started = false;
    await runProcess(
      {
        name: 'test-app',
        loadConfig: () => {
          throw new Error('bad config');
        },
        createMetrics: createApiMetrics,
        start: async () => void (started = true),
      },
      h.host,
    );
    expect(h.exits).toEqual([1]);
    expect(started).toBe(false);
  });

  it('signals are handled from before start: a SIGTERM during start-up stops it gracefully', async () => {
    const h = fakeHost();
    let release!: () => void;
    const starting = runProcess(
      spec(async () => {
        h.signal('SIGTERM');
        await new Promise<void>((r) => (release = r));
      }),
      h.host,
    );
    expect(await h.exitCode).toBe(0);
    release();
    await starting;
  });
});
