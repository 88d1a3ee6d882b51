// Every template in lab-templates/ is a valid lab whose `expect` entries agree with explain:
// the offline half of what test/lab/templates-check.test.ts proves on the wire.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { checkExpectations } from '../../../src/core/explain/expectations.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const dir = join(import.meta.dirname, '../../../lab-templates');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('lab templates', () => {
  test('the gallery has the scenarios of issue 6', () => {
    // Each doc scenario and customer problem has its own file (ids are file names).
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const lab = loadLab([{ file, text }]);

    test('is named after its file and says what it shows, where from, and how to teach it', () => {
      expect(lab.name).toBe(file.replace(/\.yaml$/, ''));
      expect(lab.description.length).toBeGreaterThan(10);
      expect(lab.docs).toMatch(/[A-Za-z]/);
      expect(lab.notes.length).toBeGreaterThan(80);
      expect(lab.expect.length).toBeGreaterThan(0);
    });

    test('every expect entry agrees with explain', () => {
      const results = checkExpectations(planLab(lab));
      const wrong = results.filter((r) => !r.ok);
      expect(
        wrong.map(
          (r) => `${r.expectation.from} -> ${r.expectation.to}: ${r.mismatches.join('; ')}`,
        ),
      ).toEqual([]);
    });

    test('uses only documentation ranges or private ranges for outside hosts', () => {
      // Network safety: "internet" hosts sit in 192.0.2.0/24, 198.51.100.0/24 or 203.0.113.0/24;
      // anything else must be private (RFC 1918) or shared (RFC 6598) space.
      for (const h of lab.hosts) {
        expect(h.address).toMatch(
          /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/,
        );
      }
    });
  });
});
