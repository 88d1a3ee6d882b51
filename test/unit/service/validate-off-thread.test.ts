// `lab:validate` of a large file runs on a worker thread: the service's thread keeps serving
// (timers, other clients' messages) while it is checked, and the answer is the same as inline.
// The worker script exists only in the compiled service (npm test builds before this suite).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationWorker, validateToResult } from '../../../src/service/validation.js';

const built = 'dist/src/service/validation.js';

describe('ValidationWorker from the sources', () => {
  it('validates inline when no compiled worker script is next to it', async () => {
    const w = new ValidationWorker();
    expect(w.available()).toBe(false);
    const text = readFileSync('lab-templates/outgoing-nat.yaml', 'utf8');
    expect(await w.validate([{ file: 'a.yaml', text }])).toEqual(
      validateToResult([{ file: 'a.yaml', text }]),
    );
  });
});

describe.skipIf(!existsSync(built))('ValidationWorker, compiled', () => {
  it('answers like inline validation, and the calling thread keeps running meanwhile', async () => {
    const mod = (await import(
      `../../../${built}`
    )) as typeof import('../../../src/service/validation.js');
    const w = new mod.ValidationWorker();
    expect(w.available()).toBe(true);
    const big = Array.from({ length: 50_000 }, (_, i) => `k${i}: v${i}`).join('\n');
    const pool = `apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: p}
spec: {cidr: 10.0.0.0/16, natOutgoing: maybe}
${Array.from({ length: 8000 }, (_, i) => `# padding ${i}`).join('\n')}
`;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const [a, b] = await Promise.all([
        w.validate([{ file: 'big.yaml', text: big }]),
        w.validate([{ file: 'pool.yaml', text: pool }]),
      ]);
      expect(a).toEqual(mod.validateToResult([{ file: 'big.yaml', text: big }]));
      expect(b).toEqual(mod.validateToResult([{ file: 'pool.yaml', text: pool }]));
      expect(b.ok).toBe(false);
    } finally {
      clearInterval(timer);
      await w.close();
    }
    // Inline, the 50,000-key file would hold this thread for its whole check: no tick at all.
    expect(ticks).toBeGreaterThan(3);
  });
});
