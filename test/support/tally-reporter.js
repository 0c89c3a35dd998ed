// A jest reporter that appends one JSON line of counts to the file named by WOOP_TEST_TALLY
// (when set), so .ci/run can close on one plain line adding up every jest run it made (the main
// suites, the fuzzing, the drills). Plain JavaScript: jest loads reporters without a transform.
const { appendFileSync } = require('node:fs');

class TallyReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.WOOP_TEST_TALLY;
    if (!file) return;
    const line = {
      passed: results.numPassedTests,
      failed: results.numFailedTests,
      skipped: results.numPendingTests + results.numTodoTests,
      suitesFailed: results.numFailedTestSuites + results.numRuntimeErrorTestSuites,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = TallyReporter;
