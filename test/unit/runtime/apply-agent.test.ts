import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AGENT_SCRIPT, AgentReplyParser } from '../../../src/runtime/apply-agent.js';

describe('AgentReplyParser', () => {
  it('reads answers however the bytes are cut, output included', () => {
    const wire = Buffer.from(
      'egress-lab-done 1 0 8\napplied\negress-lab-done 2 3 14\nrejected: x\ny\n',
    );
    for (let cut = 1; cut < wire.length; cut++) {
      const got: [number, number, string][] = [];
      const p = new AgentReplyParser((id, rc, out) => got.push([id, rc, out]));
      p.push(wire.subarray(0, cut));
      p.push(wire.subarray(cut));
      expect(got).toEqual([
        [1, 0, 'applied\n'],
        [2, 3, 'rejected: x\ny\n'],
      ]);
    }
  });
});

describe('AGENT_SCRIPT', () => {
  it('answers framed requests one after another in a real shell, reading exactly each body', () => {
    // A stand-in apply script: prints the size and first bytes of its stdin.
    const apply = 'c=$(cat); echo "got ${#c}:$c"; [ "$c" != bad ]';
    const script = AGENT_SCRIPT.replace(/\/run\/egress-lab/g, '/tmp/egress-lab-agent-test');
    const input = 'apply 1 5\nhelloapply 2 3\nbadapply 3 0\n';
    const out = execFileSync('sh', ['-c', script], {
      input,
      env: { ...process.env, EGRESS_LAB_APPLY: apply },
    }).toString();
    expect(out).toBe(
      'egress-lab-done 1 0 12\ngot 5:hello\negress-lab-done 2 1 10\ngot 3:bad\negress-lab-done 3 0 7\ngot 0:\n',
    );
  });
});
