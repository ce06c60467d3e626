// Writes each package's test counts to $FILEXFER_TEST_RESULTS/<package>.json,
// so the test command can print one closing "N passed, N failed" line.
const fs = require('node:fs');
const path = require('node:path');

class CountReporter {
  onRunComplete(_contexts, results) {
    const dir = process.env.FILEXFER_TEST_RESULTS;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const name = path.basename(process.cwd());
    fs.writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({
        package: name,
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}
module.exports = CountReporter;
