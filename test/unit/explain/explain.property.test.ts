// Property tests: random valid pool sets never crash planning, and explain's NAT decision
// agrees with an independent reading of the RENDERED text (iptables-restore and ipset restore
// inputs), parsed here from scratch so the check does not reuse the code under test.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { explain } from '../../../src/core/explain/explain.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';
import type { LabPlan } from '../../../src/core/plan/types.js';
import { labArb } from '../helpers/arbitraries.js';

// ---- an independent mini-netfilter over the rendered text ----
function toInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}
function inCidr(cidr: string, ip: string): boolean {
  const [base, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len ?? 32));
  return Math.floor(toInt(ip) / size) === Math.floor(toInt(base!) / size);
}
function parseIpsets(text: string): Map<string, string[]> {
  const tmp = new Map<string, string[]>();
  const sets = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const w = line.split(' ');
    if (w[0] === 'add') tmp.set(w[1]!, [...(tmp.get(w[1]!) ?? []), w[2]!]);
    if (w[0] === 'swap') sets.set(w[2]!, tmp.get(w[1]!) ?? []);
  }
  return sets;
}
interface Pkt {
  src: string;
  dst: string;
  outIf: string;
  proto: string;
}
type Verdict = { kind: 'none' } | { kind: 'MASQUERADE' } | { kind: 'SNAT'; to: string };
function runNat(restore: string, ipsets: Map<string, string[]>, p: Pkt): Verdict {
  const chains = new Map<string, string[][]>();
  for (const line of restore.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const w = line.split(' ');
    chains.set(w[1]!, [...(chains.get(w[1]!) ?? []), w.slice(2)]);
  }
  const walk = (chain: string): Verdict | 'return' | undefined => {
    for (const w of chains.get(chain) ?? []) {
      let ok = true;
      let target = '';
      let to = '';
      for (let i = 0; i < w.length; i++) {
        const neg = w[i] === '!';
        if (neg) i++;
        const t = w[i];
        let r: boolean | undefined;
        if (t === '--match-set') {
          const members = ipsets.get(w[i + 1]!) ?? [];
          const addr = w[i + 2] === 'src' ? p.src : p.dst;
          r = members.some((m) => inCidr(m, addr));
          i += 2;
        } else if (t === '--out-interface') {
          const pat = w[i + 1]!;
          r = pat.endsWith('+') ? p.outIf.startsWith(pat.slice(0, -1)) : p.outIf === pat;
          i += 1;
        } else if (t === '-p') {
          r = p.proto === w[i + 1];
          i += 1;
        } else if (t === '--jump') {
          target = w[i + 1]!;
          i += 1;
        } else if (t === '--to-source') {
          to = w[i + 1]!.split(':')[0]!;
          i += 1;
        }
        if (r !== undefined && (neg ? r : !r)) ok = false;
      }
      if (!ok) continue;
      if (target === 'RETURN') return 'return';
      if (target === 'MASQUERADE') return { kind: 'MASQUERADE' };
      if (target === 'SNAT') return { kind: 'SNAT', to };
      const v = walk(target);
      if (v && v !== 'return') return v;
    }
    return undefined;
  };
  const v = walk('POSTROUTING');
  return v && v !== 'return' ? v : { kind: 'none' };
}

function tryPlan(lab: Lab): LabPlan | undefined {
  try {
    return planLab(lab);
  } catch (e) {
    if (e instanceof LabInputError) return undefined; // a clear, expected refusal (no pool for a pod…)
    throw e;
  }
}

describe('properties', () => {
  test('planLab never crashes; addresses are unique, inside their block and pool', () => {
    fc.assert(
      fc.property(labArb, (lab) => {
        const plan = tryPlan(lab);
        if (!plan) return;
        const addrs = plan.ipam.assignments.map((a) => a.address);
        expect(new Set(addrs).size).toBe(addrs.length);
        for (const a of plan.ipam.assignments) {
          expect(inCidr(a.block, a.address)).toBe(true);
          const p = lab.ipPools.find((x) => x.name === a.pool)!;
          expect(inCidr(p.spec.cidr, a.address)).toBe(true);
          expect(p.spec.disabled).toBe(false);
        }
        for (const c of plan.containers)
          for (const i of c.interfaces) expect(i.ifname.length).toBeLessThanOrEqual(15);
      }),
      { numRuns: 300 },
    );
  });

  test('explain agrees with evaluating the rendered rules and ipsets directly', () => {
    fc.assert(
      fc.property(
        labArb,
        fc.constantFrom('internet', 'corp', 'other-pod', 'node-2', 'in-pool'),
        fc.constantFrom('icmp', 'tcp', 'udp'),
        (lab, to, proto) => {
          const plan = tryPlan(lab);
          if (!plan) return;
          const from = plan.ipam.assignments[0]!;
          const other = plan.ipam.assignments[plan.ipam.assignments.length - 1]!;
          const firstPool = lab.ipPools[0]!.spec.cidr.split('/')[0]!.replace(/\.0$/, '.9');
          const dst = {
            internet: '203.0.113.10',
            corp: '10.0.0.10',
            'other-pod': other.address,
            'node-2': '172.30.0.12',
            'in-pool': firstPool,
          }[to];
          const e = explain(plan, from.pod, dst, { protocol: proto as 'icmp' | 'tcp' | 'udp' });

          const nodeC = plan.containers.find((c) => c.name === from.node)!;
          const rendered = renderContainer(nodeC);
          const sameNodePod = plan.ipam.assignments.find(
            (a) => a.address === dst && a.node === from.node,
          );
          const outIf = sameNodePod ? sameNodePod.hostIfname : 'eth0';
          // Packets for the node's own address are delivered locally: no POSTROUTING.
          const toSelf = nodeC.interfaces[0]!.addresses.some((a) => a.split('/')[0] === dst);
          const v: Verdict = toSelf
            ? { kind: 'none' }
            : runNat(rendered.iptablesNat!, parseIpsets(rendered.ipsetRestore!), {
                src: from.address,
                dst,
                outIf,
                proto,
              });
          const expectedSource =
            v.kind === 'none'
              ? from.address
              : v.kind === 'SNAT'
                ? v.to
                : outIf === 'eth0'
                  ? nodeC.interfaces[0]!.addresses[0]!.split('/')[0]!
                  : '';
          expect(e.nat.action).toBe(
            v.kind === 'none' ? 'none' : v.kind === 'MASQUERADE' ? 'masquerade' : 'snat',
          );
          expect(e.seenSource).toBe(expectedSource);
          expect(e.reply).toBe(e.forward!.ok && e.routeBack.ok);
        },
      ),
      { numRuns: 400 },
    );
  });
});
