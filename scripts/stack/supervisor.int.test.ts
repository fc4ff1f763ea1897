import { PassThrough } from 'node:stream';
import { waitFor, isProcessAlive } from '@execn/testing';
import { createStackOutput } from './stack-output';
import { Supervisor, type ProcessSpec } from './supervisor';

/** A stack output that keeps what it printed. */
function recordingOutput() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { out: createStackOutput(stream, false), text: () => text };
}

const node = (name: string, code: string): ProcessSpec => ({ name, command: process.execPath, args: ['-e', code], env: process.env });

// A child that logs like the apps (pino JSON), handles SIGTERM like them, and stays up.
const WELL_BEHAVED = `
  console.log(JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, app: 'demo', msg: 'listening', port: 1234 }));
  console.error('plain stderr line');
  process.on('SIGTERM', () => { console.log(JSON.stringify({ level: 30, time: Date.now(), msg: 'shutdown complete' })); process.exit(0); });
  setInterval(() => {}, 1000);
`;

describe('Supervisor', () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
  });

  it('prefixes every line with the process name and renders pino JSON as one readable line', async () => {
    const rec = recordingOutput();
    supervisor = new Supervisor({ out: rec.out });
    supervisor.start(node('api', WELL_BEHAVED));
    await waitFor(() => rec.text().includes('plain stderr line') && rec.text().includes('listening'), 10_000, 'child output');
    const lines = rec.text().split('\n');
    expect(lines.find((l) => l.includes('listening'))).toMatch(/^api\s+\| \[\d\d:\d\d:\d\d\.\d{3}\] INFO: listening \{"port":1234\}$/);
    expect(lines).toContain('api      | plain stderr line');
    expect(rec.text()).toMatch(/api\s+\| started \(pid \d+\)/);
  });

  it('reports a process that dies and restarts it, with a growing delay', async () => {
    const rec = recordingOutput();
    supervisor = new Supervisor({ out: rec.out, restartDelayMs: 50, maxRestartDelayMs: 200 });
    supervisor.start(node('worker-1', 'console.log("up"); process.exit(3)'));
    await waitFor(() => supervisor!.restarts('worker-1') >= 3, 10_000, 'three restarts');
    expect(rec.text()).toMatch(/worker-1 \| exited unexpectedly \(code 3\) after [\d.]+ s; restarting in 0\.1 s/);
    expect(rec.text()).toMatch(/restarting in 0\.2 s/);
    expect(supervisor.allPids().length).toBeGreaterThanOrEqual(4);
  });

  it('stops every process with SIGTERM, SIGKILLs one that ignores it after the deadline, and leaves no process behind', async () => {
    const rec = recordingOutput();
    supervisor = new Supervisor({ out: rec.out, stopTimeoutMs: 700 });
    supervisor.start(node('ws-1', WELL_BEHAVED));
    supervisor.start(node('stubborn', 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("up"); setInterval(() => {}, 1000)'));
    await waitFor(() => (rec.text().match(/\| up$|listening/gm) ?? []).length >= 2, 10_000, 'both up');
    const pids = Object.values(supervisor.pids());
    expect(pids).toHaveLength(2);
    const started = Date.now();
    await Promise.all([supervisor.stop(), supervisor.stop()]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(rec.text()).toMatch(/ws-1\s+\| stopped \(code 0\)/);
    expect(rec.text()).toMatch(/stubborn \| still running 0\.7 s after SIGTERM: SIGKILL/);
    expect(rec.text()).toMatch(/stubborn \| stopped \(signal SIGKILL\)/);
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
  });

  it('does not restart what it stopped', async () => {
    const rec = recordingOutput();
    supervisor = new Supervisor({ out: rec.out, restartDelayMs: 10 });
    supervisor.start(node('poller', WELL_BEHAVED));
    await waitFor(() => rec.text().includes('listening'), 10_000, 'up');
    await supervisor.stop();
    await new Promise((r) => setTimeout(r, 100)); // a restart would have been scheduled within 10 ms
    expect(supervisor.restarts('poller')).toBe(0);
    expect(supervisor.pids()).toEqual({});
  });
});
