// Why traffic gets no reply when network policy is the reason: explain's policy verdict for
// the flow (core/explain/policy-verdict.ts), one line for `traffic` to print with its counts.
import { explain } from '../../core/explain/explain.js';
import { planOf, type LabRecord } from '../lab-record.js';

export function deniedByPolicy(
  record: LabRecord,
  from: string,
  to: string,
  protocol: 'icmp' | 'tcp' | 'udp',
  port?: number,
): string | undefined {
  if (!record.lab.policies?.length) return undefined;
  try {
    const e = explain(planOf(record), from, to, {
      protocol,
      ...(port !== undefined ? { port } : {}),
    });
    if (!e.policy || e.policy.allowed) return undefined;
    return `denied by network policy: ${e.policy.verdicts.at(-1)!.text}`;
  } catch {
    return undefined; // explain cannot model this flow; the counts stand alone
  }
}
