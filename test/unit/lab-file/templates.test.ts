// Every shipped template must load.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLab, loadResources } from '../../../src/core/lab-file/index.js';

const dir = 'lab-templates';
const templates = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('lab templates', () => {
  it('exist', () => expect(templates.length).toBeGreaterThan(0));
  for (const f of templates) {
    it(`${f} loads`, () => {
      const lab = loadLab([{ file: `${dir}/${f}`, text: readFileSync(`${dir}/${f}`, 'utf8') }]);
      expect(lab.nodes.length).toBeGreaterThan(0);
    });
  }
});

describe('loadResources on a lab file', () => {
  it('returns the pools the lab runs with, the auto-created one included', () => {
    const text = readFileSync('test/fixtures/no-pool-lab.yaml', 'utf8');
    expect(loadResources([{ file: 'x.yaml', text }]).ipPools.map((p) => p.name)).toEqual([
      'default-ipv4-ippool',
    ]);
  });
});
