// importLab: a lab around a customer's Calico resources. Asserted against the resources
// themselves (pools, selectors, peers), not against the builder's own output.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { checkExpectations } from '../../../src/core/explain/expectations.js';
import { importLab } from '../../../src/core/import/index.js';
import { cidrContains, cidrsOverlap } from '../../../src/core/net/cidr.js';
import { loadResources } from '../../../src/core/lab-file/index.js';
import { matchesSelector } from '../../../src/core/calico/selector.js';
import { nodeSelectorLabels } from '../../../src/core/calico/pool-choice.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const dir = 'test/fixtures/customers';
const FIXTURES = [
  'two-nat-pools-3770.yaml',
  'racks-bgp-no-nat.yaml',
  'kubectl-crd-aws-node.yaml',
  'overlap-7345.yaml',
];
const source = (f: string) => ({ file: `${dir}/${f}`, text: readFileSync(`${dir}/${f}`, 'utf8') });
const DOC_RANGES = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'];

describe.each(FIXTURES)('import %s', (f) => {
  const customer = loadResources([source(f)]);
  const result = importLab([source(f)], { name: 'cust' });
  const { lab } = result;
  const plan = planLab(lab);
  const v4 = customer.ipPools.filter((p) => !p.spec.cidr.includes(':'));

  test('every enabled pool gets a pod with an address from it, on a node its selector picks', () => {
    for (const pool of v4.filter((p) => !p.spec.disabled)) {
      const a = plan.ipam.assignments.find((x) => cidrContains(pool.spec.cidr, x.address));
      expect(a, `a pod in ${pool.name}`).toBeDefined();
      const node = lab.nodes.find((n) => n.name === a!.node)!;
      if (pool.spec.nodeSelector !== '!all()')
        expect(matchesSelector(pool.spec.nodeSelector, nodeSelectorLabels(node))).toBe(true);
    }
  });

  test('an internet host in a documentation range and a host inside each disabled pool', () => {
    const internet = lab.hosts.find((h) => h.name === 'internet')!;
    expect(DOC_RANGES.some((r) => cidrContains(r, internet.address))).toBe(true);
    for (const pool of v4.filter((p) => p.spec.disabled))
      expect(lab.hosts.some((h) => cidrContains(pool.spec.cidr, h.address))).toBe(true);
  });

  test('no lab address collides with an enabled pool', () => {
    for (const pool of v4.filter((p) => !p.spec.disabled)) {
      expect(cidrsOverlap(pool.spec.cidr, lab.fabric.cidr)).toBe(false);
      for (const h of lab.hosts)
        expect(cidrsOverlap(pool.spec.cidr, `${h.address}/${h.prefixLength}`)).toBe(false);
    }
  });

  test("the customer's pools are in the lab unchanged", () => {
    expect(lab.ipPools).toEqual(customer.ipPools);
  });

  test('expectations cover every pod and hold according to explain', () => {
    for (const pod of lab.pods) expect(lab.expect.some((e) => e.from === pod.name)).toBe(true);
    expect(checkExpectations(plan).every((r) => r.ok)).toBe(true);
  });

  test('deterministic', () => {
    expect(importLab([source(f)], { name: 'cust' }).text).toBe(result.text);
  });
});

describe('import: what the resources demand', () => {
  test('#7345: a destination in the disabled old pool is not NATed, the internet is', () => {
    const { lab } = importLab([source('overlap-7345.yaml')]);
    // The fabric must avoid 172.16.0.0/12 (the default 172.30.0.0/24 lies inside it).
    expect(cidrsOverlap(lab.fabric.cidr, '172.16.0.0/12')).toBe(false);
    const inside = lab.hosts.find((h) => cidrContains('100.64.0.0/10', h.address))!;
    const toOld = lab.expect.find((e) => e.to === inside.name)!;
    expect(toOld.seenAs).toBe('pod');
    expect(toOld.reply).toBe(false); // no BGP: nothing routes the pod address back
    expect(lab.expect.find((e) => e.to === 'internet')!.seenAs).toBe('node');
  });

  test('racks: the router sits where the first peer points; the other peer is mapped and said', () => {
    const { lab, text, report } = importLab([source('racks-bgp-no-nat.yaml')]);
    expect(lab.router).toMatchObject({ address: '172.16.1.1', asNumber: 65101 });
    const r1 = lab.bgpPeers.find((p) => p.name === 'tor-r1')!;
    expect(r1.spec).toMatchObject({ peerIP: '172.16.1.1', asNumber: 65101 });
    const r2 = lab.bgpPeers.find((p) => p.name === 'tor-r2')!;
    expect(r2.spec).toMatchObject({ peerIP: '172.16.1.1', asNumber: 65101 });
    expect(r2.spec.nodeSelector).toBe("rack == 'r2'");
    expect(report.some((l) => l.includes('BGPPeer(tor-r2)') && l.includes('172.16.2.1'))).toBe(
      true,
    );
    expect(text).toContain('peerIP 172.16.2.1 and asNumber 65102 mapped onto the lab router');
    // nodeToNodeMeshEnabled false is kept: BGPConfiguration as given.
    expect(lab.bgpConfiguration.spec.nodeToNodeMeshEnabled).toBe(false);
    // rack-r1 is natOutgoing false and peered: seen as the pod, replies return.
    const r1Pod = lab.pods.find((p) =>
      p.annotations['cni.projectcalico.org/ipv4pools']?.includes('rack-r1'),
    )!;
    expect(lab.expect.find((e) => e.from === r1Pod.name && e.to === 'internet')).toMatchObject({
      seenAs: 'pod',
      reply: true,
    });
  });

  test('kubectl CRD output: node names made DNS labels, peers and per-node Felix follow', () => {
    const { lab, report } = importLab([source('kubectl-crd-aws-node.yaml')]);
    expect(lab.nodes.map((n) => n.name)).toContain('ip-10-0-1-5');
    expect(lab.bgpPeers[0]!.spec.node).toBe('ip-10-0-1-5');
    expect(lab.felixNodeConfigurations?.[0]?.name).toBe('node.ip-10-0-1-5');
    expect(lab.router.address).toBe('10.0.1.1');
    // The public pool (198.51.100.0/24) is a documentation range: the internet host avoids it.
    const internet = lab.hosts.find((h) => h.name === 'internet')!;
    expect(cidrContains('198.51.100.0/24', internet.address)).toBe(false);
    expect(report.some((l) => l.includes('!all()'))).toBe(true);
  });

  test('a ToR inside the no-NAT range: the router goes there, the corp host beside it', () => {
    const text = [
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: default-ipv4-ippool}\nspec: {cidr: 192.168.0.0/16, natOutgoing: true}',
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: no-nat-10.0.0.0-8}\nspec: {cidr: 10.0.0.0/8, disabled: true}',
      'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: tor}\nspec: {peerIP: 10.0.0.1, asNumber: 65001}',
    ].join('\n---\n');
    const { lab, report } = importLab([{ file: 'c.yaml', text }]);
    expect(lab.router).toMatchObject({ address: '10.0.0.1', asNumber: 65001 });
    expect(lab.bgpPeers[0]!.spec).toMatchObject({ peerIP: '10.0.0.1', asNumber: 65001 });
    expect(report.some((l) => l.includes('mapped'))).toBe(false);
    const corp = lab.hosts.find((h) => cidrContains('10.0.0.0/8', h.address))!;
    expect(cidrsOverlap(`${corp.address}/${corp.prefixLength}`, lab.fabric.cidr)).toBe(false);
    // The docs' no-NAT trick, peered: corp sees the pod and answers; the internet sees the node.
    expect(lab.expect.find((e) => e.to === corp.name)).toMatchObject({
      seenAs: 'pod',
      reply: true,
    });
    expect(lab.expect.find((e) => e.to === 'internet')).toMatchObject({
      seenAs: 'node',
      reply: true,
    });
  });

  test('a file that is already a lab is refused, with its name', () => {
    const text = readFileSync('lab-templates/outgoing-nat.yaml', 'utf8');
    expect(() => importLab([{ file: 'x.yaml', text }])).toThrow(/already a lab file/);
  });

  test("invalid resources: the loader's positioned problems, nothing built", () => {
    const text =
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/33}\n';
    try {
      importLab([{ file: 'bad.yaml', text }]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LabInputError);
      expect((e as LabInputError).problems[0]!.position?.file).toBe('bad.yaml');
    }
  });

  test("no pool at all: calico-node's default pool, NATed", () => {
    const text =
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {}\n';
    const { lab, report } = importLab([{ file: 'felix.yaml', text }]);
    expect(lab.ipPools[0]!.name).toBe('default-ipv4-ippool');
    expect(report[0]).toMatch(/no IPPool given/);
    expect(lab.expect).toEqual([
      expect.objectContaining({ to: 'internet', seenAs: 'node', reply: true }),
    ]);
  });

  test('natOutgoingExclusions makes the lab a v3.31 one (the loader would refuse it on v3.30)', () => {
    const text = [
      'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.1.0.0/16, natOutgoing: true}',
      'apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {natOutgoingExclusions: IPPoolsAndHostIPs}',
    ].join('\n---\n');
    expect(importLab([{ file: 'c.yaml', text }]).lab.calicoVersion).toBe('v3.31');
  });
});
