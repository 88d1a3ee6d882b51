// Adds up every suite's results (vitest JSON, Playwright JSON, recorded steps) into the
// one closing line CI reads: "N passed, N failed[, N skipped]". Exit 1 when anything failed.
// Failing tests are named again just above that line: CI keeps only the output's tail.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
const failures = [];

function walkPlaywright(suite) {
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) {
      const status = t.status; // expected | unexpected | flaky | skipped
      if (status === 'skipped') skipped++;
      else if (status === 'expected' || status === 'flaky') passed++;
      else {
        failed++;
        failures.push(`${spec.file}:${spec.line} ${spec.title}`);
      }
    }
  }
  for (const s of suite.suites ?? []) walkPlaywright(s);
}

for (const f of readdirSync(dir)
  .filter((n) => n.endsWith('.json'))
  .sort()) {
  let data;
  try {
    data = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  } catch {
    lines.push(`${f}: unreadable report, counted as 1 failure`);
    failed++;
    continue;
  }
  if ('numPassedTests' in data) {
    // vitest: a file that failed outside its tests (did not load, or its beforeAll/afterAll
    // threw: its tests then show as skipped) counts as one failure.
    const suiteFailed = (r) =>
      r.status === 'failed' && !(r.assertionResults ?? []).some((a) => a.status === 'failed');
    const loadFailures = (data.testResults ?? []).filter(suiteFailed).length;
    passed += data.numPassedTests;
    failed += data.numFailedTests + loadFailures;
    skipped += (data.numPendingTests ?? 0) + (data.numTodoTests ?? 0);
    lines.push(`${f}: ${data.numPassedTests} passed, ${data.numFailedTests + loadFailures} failed`);
    for (const r of data.testResults ?? []) {
      const where = r.name.replace(process.cwd() + '/', '');
      if (suiteFailed(r))
        failures.push(
          `${where}: failed outside its tests: ${String(r.message ?? '')
            .split('\n')[0]
            .slice(0, 200)}`,
        );
      for (const a of r.assertionResults ?? []) {
        if (a.status !== 'failed') continue;
        const why = String((a.failureMessages ?? [])[0] ?? '').split('\n')[0];
        failures.push(`${where} > ${a.fullName}: ${why.slice(0, 200)}`);
      }
    }
  } else if ('suites' in data) {
    const before = [passed, failed, skipped];
    for (const s of data.suites) walkPlaywright(s);
    failed += (data.errors ?? []).length;
    for (const e of data.errors ?? [])
      failures.push(`${f}: ${String(e.message ?? e).split('\n')[0]}`);
    lines.push(`${f}: ${passed - before[0]} passed, ${failed - before[1]} failed`);
  } else if ('name' in data) {
    passed += data.passed;
    failed += data.failed;
    if (data.failed) lines.push(`${data.name}: FAILED`);
  }
}
console.log('\n' + lines.join('\n'));
if (failures.length) console.log('FAILED:\n' + failures.map((x) => `  ${x}`).join('\n'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
