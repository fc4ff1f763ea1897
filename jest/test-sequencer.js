/**
 * Runs the two load-under-fault files first, then the others in jest's order
 * (slowest first).
 *
 * Each puts 200 reports/s through the whole pipeline in the test process and
 * asserts the rate comes back after the fault, so each needs the machine, and
 * the test process, to itself. CI runs one file at a time in one process; late
 * in such a run the mail fault test failed twice in three runs (the mail rate
 * came back to 55-60/s instead of 200) and passed every time alone or first.
 * Other heavy files take the load-test lock (libs/testing acquireLoadTestLock),
 * which keeps them apart when jest runs several workers.
 */
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = [/mail-faults\.int\.test\.ts$/, /redis-faults\.int\.test\.ts$/];

class LoadTestSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const rank = (t) => {
      const i = FIRST.findIndex((re) => re.test(t.path));
      return i < 0 ? FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keeps jest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LoadTestSequencer;
