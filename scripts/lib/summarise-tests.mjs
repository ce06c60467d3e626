// Sums the per-package counts and prints the closing line; exits 1 when a
// test failed, when a package wrote no results, or when nothing ran.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const expected = readdirSync('packages').filter((p) => readdirSync(join('packages', p)).includes('jest.config.cjs'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const missing = [];
for (const pkg of expected) {
  let counts;
  try {
    counts = JSON.parse(readFileSync(join(dir, `${pkg}.json`), 'utf8'));
  } catch {
    missing.push(pkg);
    continue;
  }
  console.log(`  ${pkg.padEnd(8)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const k of Object.keys(totals)) totals[k] += counts[k];
}
if (missing.length) console.log(`  no results from: ${missing.join(', ')} (its suite did not run to the end)`);
console.log(`${totals.passed} passed, ${totals.failed + missing.length} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || missing.length > 0 || totals.passed === 0 ? 1 : 0);
