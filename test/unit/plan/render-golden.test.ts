// Every text the renderers produce for the shipped templates, byte for byte as the code
// produced it before the plan became data only (render-golden.json: sha256 prefixes of each
// text, recorded from that code). Users see these texts (`rules`, the UI), the cali: hashes
// are Felix's, and the BIRD configs with their sessions disabled must differ from the real
// ones only by `disabled;` (BIRD then restarts no session on `birdc configure`).
// Re-recorded once when IPAM began choosing blocks as Calico does (by node name): before that,
// every text was checked to equal the old one with the old pod addresses and blocks replaced
// by the new ones, so nothing but the addresses changed.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/load.js';
import { planLab, renderBirdConfig, renderContainer } from '../../../src/core/plan/index.js';
import { applyInputFiles } from '../../../src/runtime/agent/apply-input.js';

const golden = JSON.parse(
  readFileSync(new URL('./render-golden.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, Record<string, string>>>;

const sha = (s: string | Buffer): string =>
  createHash('sha256').update(s).digest('hex').slice(0, 16);

function outputs(file: string): Record<string, Record<string, string>> {
  const plan = planLab(loadLab([{ file, text: readFileSync(file, 'utf8') }]));
  const out: Record<string, Record<string, string>> = {};
  for (const c of plan.containers) {
    const e: Record<string, string> = {};
    for (const [k, v] of Object.entries(renderContainer(c))) if (v !== undefined) e[k] = sha(v);
    const disabled = renderBirdConfig(c, { sessionsDisabled: true });
    if (disabled !== undefined) e.birdSessionsDisabled = sha(disabled);
    const files = Object.fromEntries(
      applyInputFiles(c, { full: true }).map((f) => [f.name, f.content.toString()]),
    );
    for (const [name, content] of Object.entries(files)) {
      if (name === 'full' || name.startsWith('nat.')) continue;
      e[`apply:${name}`] = sha(content);
    }
    if (files['nat.head'] !== undefined) {
      e['apply:nat.head'] = sha(files['nat.head']);
      // The old input had one body (our chains' rules, the hooks, COMMIT); the parts are that.
      e['apply:nat.body'] = sha(`${files['nat.own']}${files['nat.kern']}COMMIT\n`);
    }
    out[c.name] = e;
  }
  return out;
}

describe('renderers: the same bytes as before, for every template', () => {
  test.each(Object.keys(golden))('%s', (file) => {
    const got = outputs(file);
    expect(Object.keys(got)).toEqual(Object.keys(golden[file]!));
    for (const [name, want] of Object.entries(golden[file]!)) expect(got[name]).toEqual(want);
  });
});
