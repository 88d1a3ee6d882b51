// The perimeter firewall's Inbound rules: the lab file (hosts as sources, cluster CIDRs as
// destinations, refused the other way round at the field), the router's second chain, explain
// for a host's flow to a pod and to a Service's NodePort, and `expect` with allowed: false from
// a host. Addresses come from the plan.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { checkExpectations } from '../../../src/core/explain/expectations.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderFirewallRestore } from '../../../src/core/dataplane/render-perimeter.js';
import { linesOf, whereIs } from '../lab-file/helpers.js';

const FILE = 'lab-templates/perimeter-firewall-per-namespace-pools.yaml';
const template = readFileSync(FILE, 'utf8');
const planOf = (text: string) => planLab(loadLab([{ file: FILE, text }]));
const addr = (plan: ReturnType<typeof planOf>, pod: string) =>
  plan.ipam.assignments.find((a) => a.pod === pod)!.address;
const routerOf = (plan: ReturnType<typeof planOf>) =>
  plan.containers.find((c) => c.role === 'router')!;

describe('firewall Inbound rules in the lab file', () => {
  it('resolve a host source to its /32, keep file numbers, and default the inbound action to Allow', () => {
    const fw = loadLab([{ file: FILE, text: template }]).firewall!;
    expect(fw.inboundDefaultAction).toBe('Deny');
    expect(fw.rules.filter((r) => r.direction === 'Inbound')).toEqual([
      {
        action: 'Allow',
        direction: 'Inbound',
        destination: '172.30.0.11/32',
        protocol: 'tcp',
        ports: [30080],
        description: "the shop's NodePort on node-1 is public",
      },
      {
        action: 'Allow',
        direction: 'Inbound',
        source: '198.51.100.10/32',
        destination: '10.50.0.0/24',
        description: 'db may reach billing',
      },
    ]);
    const plain = loadLab([
      {
        file: FILE,
        text: template.replace('    inboundDefaultAction: Deny\n', ''),
      },
    ]).firewall!;
    expect(plain.inboundDefaultAction).toBe('Allow');
  });

  it('refuses a host name on the cluster side, at its field', () => {
    const text = template.replace(
      '{ direction: Inbound, action: Allow, source: db, destination: 10.50.0.0/24,',
      '{ direction: Inbound, action: Allow, source: db, destination: internet,',
    );
    const at = whereIs(text, 'destination: internet');
    expect(linesOf(() => loadLab([{ file: FILE, text }]))).toEqual([
      `${FILE}:${at.line}:${at.col + 'destination: '.length}: Lab(perimeter-firewall-per-namespace-pools) spec.firewall.rules[3].destination: destination "internet" is not an IPv4 CIDR (host names are the source of Inbound rules)`,
    ]);
  });

  it('becomes a second chain in the router; a file without Inbound rules keeps one chain', () => {
    const fw = routerOf(planOf(template)).firewall!;
    expect(fw.rules.map((r) => r.comment)).toEqual([
      'rule 1: billing may reach the database',
      'rule 2: nobody else',
      'defaultAction Allow',
    ]);
    expect(fw.inbound).toEqual({
      chain: 'egress-lab-fw-in',
      rules: [
        {
          destination: '172.30.0.11/32',
          protocol: 'tcp',
          ports: [30080],
          verdict: 'ACCEPT',
          comment: 'rule 3: the shops NodePort on node-1 is public',
        },
        {
          source: '198.51.100.10/32',
          destination: '10.50.0.0/24',
          verdict: 'ACCEPT',
          comment: 'rule 4: db may reach billing',
        },
        { verdict: 'DROP', comment: 'inboundDefaultAction Deny' },
      ],
    });
    expect(renderFirewallRestore(fw)).toContain(
      '-A egress-lab-fw-in -d 172.30.0.11/32 -p tcp -m tcp --dport 30080 -m comment --comment "rule 3: the shops NodePort on node-1 is public" -j ACCEPT',
    );
    const outboundOnly = template
      .replace('    inboundDefaultAction: Deny\n', '')
      .split('\n')
      .filter((l) => !l.includes('direction: Inbound'))
      .join('\n');
    expect(routerOf(planOf(outboundOnly)).firewall!.inbound).toBeUndefined();
  });
});

describe('explain: a host opens a connection into the cluster', () => {
  const plan = planOf(template);

  it('the inbound default drops internet -> shop-1 in the router, before policy or the node', () => {
    const e = explain(plan, 'internet', 'shop-1');
    expect(e.firewall).toMatchObject({
      on: 'tor',
      verdict: 'deny',
      rule: 'inboundDefaultAction Deny',
      saw: '203.0.113.10',
    });
    expect(e.forward?.ok).toBe(false);
    expect(e.forward?.reason).toContain('drops it on the way in');
    expect(e.reply).toBe(false);
  });

  it('a rule for the host lets db reach billing-1, seen as db', () => {
    const e = explain(plan, 'db', 'billing-1');
    expect(e.firewall).toMatchObject({ verdict: 'allow', rule: 'rule 4: db may reach billing' });
    expect(e.seenSource).toBe('198.51.100.10');
    expect(e.reply).toBe(true);
    expect(e.destination).toBe(addr(plan, 'billing-1'));
  });

  it('judges a NodePort by the node address and nodePort, before kube-proxy', () => {
    const e = explain(plan, 'internet', 'service/shop@node-1');
    expect(e.firewall).toMatchObject({
      verdict: 'allow',
      rule: 'rule 3: the shops NodePort on node-1 is public',
    });
    expect(e.steps[0]).toMatch(/^Perimeter firewall in tor .*172\.30\.0\.11:30080/);
    expect(e.seenAs).toBe('node');
    // The same Service over UDP would not match the tcp rule: dropped by the default.
    const closed = planOf(
      template.replace('ports: [30080], description', 'ports: [30081], description'),
    );
    const d = explain(closed, 'internet', 'service/shop@node-1');
    expect(d.firewall?.verdict).toBe('deny');
    expect(d.forward?.ok).toBe(false);
    expect(d.reply).toBe(false);
  });

  it('a pod block the router never learned is not the firewall’s to judge', () => {
    const noBgp = planOf(
      template.replace(/---\napiVersion: projectcalico.org\/v3\nkind: BGPPeer[^]*$/, ''),
    );
    const e = explain(noBgp, 'db', 'billing-1');
    expect(e.firewall).toBeUndefined();
    expect(e.forward?.ok).toBe(false);
  });

  it('every expect entry of the template matches explain, the denied inbound ones included', () => {
    const results = checkExpectations(plan);
    expect(results.flatMap((r) => r.mismatches)).toEqual([]);
    const denied = results.filter((r) => r.expectation.allowed === false);
    expect(denied.map((r) => `${r.expectation.from}->${r.expectation.to}`)).toEqual([
      'shop-1->db',
      'legacy-1->db',
      'internet->service/shop',
      'internet->shop-1',
      'db->shop-1',
    ]);
  });

  it('a denied Service entry from a host is taken, and predicted by explain', () => {
    const text = template.replace(
      '    - { from: internet, to: service/shop, via: node-1, protocol: tcp, seenAs: node, reply: true }',
      '    - { from: internet, to: service/shop, via: node-2, protocol: udp, allowed: false }',
    );
    // shop has no UDP port: the entry is refused at protocol; with tcp and a closed rule it is taken.
    expect(linesOf(() => loadLab([{ file: FILE, text }])).join('\n')).toContain('has no UDP port');
    const closed = text
      .replace('protocol: udp, allowed: false', 'protocol: tcp, allowed: false')
      .replace('ports: [30080], description', 'ports: [30081], description');
    const lab = loadLab([{ file: FILE, text: closed }]);
    const entry = lab.expect.find((e) => e.service)!;
    expect(entry).toMatchObject({
      allowed: false,
      reply: false,
      service: { via: 'nodePort', node: 'node-2' },
    });
    expect(checkExpectations(planLab(lab)).flatMap((r) => r.mismatches)).toEqual([]);
  });

  it('refuses a denied Service entry from a pod, at allowed', () => {
    const text = template.replace(
      '    - { from: internet, to: shop-1, allowed: false }',
      '    - { from: billing-1, to: service/shop, protocol: tcp, allowed: false }',
    );
    expect(linesOf(() => loadLab([{ file: FILE, text }])).join('\n')).toContain(
      'spec.expect[7].allowed: allowed: false for Service entries (to: service/…) is modelled from hosts only (the perimeter firewall’s Inbound rules)',
    );
  });
});
