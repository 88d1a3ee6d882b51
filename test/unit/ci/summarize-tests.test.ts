// The CI's closing line (scripts/summarize-tests.js): a suite whose beforeAll threw has its
// tests reported as skipped by vitest; the line must count it as a failure, not hide it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function summarize(report: object): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'egl-summary-'));
  try {
    writeFileSync(join(dir, 'vitest-lab.json'), JSON.stringify(report));
    const r = spawnSync('node', ['scripts/summarize-tests.js', dir], { encoding: 'utf8' });
    return { status: r.status, out: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const vitest = (testResults: object[], passed: number, failed: number, pending: number) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: pending,
  testResults,
});

describe('CI summary line', () => {
  it('counts a suite that failed outside its tests (its tests skipped) as a failure', () => {
    const r = summarize(
      vitest(
        [
          {
            name: 'test/lab/a.test.ts',
            status: 'failed',
            message: 'ApplyError: node-1: failed',
            assertionResults: [{ status: 'skipped', fullName: 'x' }],
          },
          {
            name: 'test/lab/b.test.ts',
            status: 'passed',
            assertionResults: [{ status: 'passed' }],
          },
        ],
        1,
        0,
        1,
      ),
    );
    expect(r.out).toContain('1 passed, 1 failed, 1 skipped');
    expect(r.out).toContain('failed outside its tests: ApplyError: node-1: failed');
    expect(r.status).toBe(1);
  });

  it('counts a failing test once, not again for its file', () => {
    const r = summarize(
      vitest(
        [
          {
            name: 'test/lab/a.test.ts',
            status: 'failed',
            assertionResults: [{ status: 'failed', fullName: 'x', failureMessages: ['boom'] }],
          },
        ],
        0,
        1,
        0,
      ),
    );
    expect(r.out).toMatch(/0 passed, 1 failed\n/);
  });
});
