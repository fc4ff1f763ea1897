/**
 * Spreads the test files that take the load-test lock (they put a steady load
 * through a fault, or a large backlog through several processes: see
 * libs/testing's acquireLoadTestLock) evenly through the run, so the jest
 * worker that waits for the lock is rarely idle for long: while one holds it,
 * the other works through light files. Everything else keeps jest's order
 * (slowest first).
 */
const Sequencer = require('@jest/test-sequencer').default;

const HEAVY = /(mail-faults|redis-faults|processes|pg-restart|two-pollers)\.int\.test\.ts$/;

class LoadTestSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const heavy = sorted.filter((t) => HEAVY.test(t.path));
    const rest = sorted.filter((t) => !HEAVY.test(t.path));
    if (heavy.length === 0) return sorted;
    const out = [];
    const gap = Math.ceil(rest.length / heavy.length);
    heavy.forEach((t, i) => out.push(t, ...rest.slice(i * gap, (i + 1) * gap)));
    return out;
  }
}

module.exports = LoadTestSequencer;
