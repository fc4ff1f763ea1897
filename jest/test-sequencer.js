/**
 * Orders the test files so that the ones that put a steady load through a
 * fault never run at the same time: each needs most of the 2 cores for its
 * 200 reports/s, and two at once starve each other into failing (what they
 * assert is the system under load, not the machine's spare CPU). The first
 * goes first, the other last; everything else runs in between, slowest first
 * as jest would.
 */
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = /mail-faults\.int\.test\.ts$/;
const LAST = /redis-faults\.int\.test\.ts$/;

class LoadTestSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const first = sorted.filter((t) => FIRST.test(t.path));
    const last = sorted.filter((t) => LAST.test(t.path));
    const rest = sorted.filter((t) => !FIRST.test(t.path) && !LAST.test(t.path));
    return [...first, ...rest, ...last];
  }
}

module.exports = LoadTestSequencer;
