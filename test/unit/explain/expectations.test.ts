import { describe, expect, test } from 'vitest';
import { checkExpectations } from '../../../src/core/explain/expectations.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { makeLab } from '../helpers/lab.js';

describe('checkExpectations', () => {
  test("the issue's example expectations: right ones pass, wrong ones say what differs", () => {
    const lab = makeLab({
      expect: [
        { from: 'web-1', to: 'internet', protocol: 'icmp', seenAs: 'node', reply: true },
        { from: 'web-1', to: 'internet', protocol: 'icmp', seenAs: 'pod', reply: true },
        {
          from: 'web-1',
          to: '203.0.113.10',
          protocol: 'tcp',
          port: 8080,
          seenAs: { address: '172.30.0.11' },
          reply: false,
        },
      ],
    });
    const [a, b, c] = checkExpectations(planLab(lab));
    expect(a!.ok).toBe(true);
    expect(b!.ok).toBe(false);
    expect(b!.mismatches).toEqual(['seenAs: expected pod, explain says node (172.30.0.11)']);
    expect(c!.mismatches).toEqual(['reply: expected false, explain says true']);
  });
});
