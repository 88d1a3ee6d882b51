import { describe, expect, test } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { planIpam } from '../../../src/core/ipam/plan-ipam.js';
import { blockOrder, blockWalk } from '../../../src/core/ipam/random-block.js';
import { cidrSize, formatCidr, intToIp, parseCidr4 } from '../../../src/core/net/cidr.js';
import { makeLab, node, pod, pool } from '../helpers/lab.js';

const addrs = (plan: ReturnType<typeof planIpam>) =>
  Object.fromEntries(plan.assignments.map((a) => [a.pod, a.address]));

// Blocks as Calico's walk for a host orders them (the walk itself is checked against Go's own
// values in random-block.test.ts): the n-th block `host` would try in `poolCidr`.
function nthBlock(poolCidr: string, host: string, n = 0, blockSize = 26): string {
  const p = parseCidr4(poolCidr);
  const order = [...blockOrder(blockWalk(poolCidr, blockSize, host))];
  return formatCidr({ base: p.base + order[n]! * cidrSize(blockSize), prefix: blockSize });
}
/** The address at `ordinal` in a block. */
const at = (block: string, ordinal = 0) => intToIp(parseCidr4(block).base + ordinal);
const first = (poolCidr: string, host: string, ordinal = 0) =>
  at(nthBlock(poolCidr, host), ordinal);

describe('planIpam', () => {
  test("each node claims its own block, where Calico's walk for its name starts; ordinals in order", () => {
    const lab = makeLab({ pods: [pod('a', 'node-1'), pod('b', 'node-2'), pod('c', 'node-1')] });
    const plan = planIpam(lab);
    // node-1's first block in 192.168.0.0/16 is 192.168.84.128/26 (index 338, Go's draw).
    expect(plan.blocks).toEqual([
      { cidr: '192.168.84.128/26', pool: 'default-ipv4-ippool', node: 'node-1' },
      { cidr: nthBlock('192.168.0.0/16', 'node-2'), pool: 'default-ipv4-ippool', node: 'node-2' },
    ]);
    expect(addrs(plan)).toEqual({
      a: '192.168.84.128',
      b: first('192.168.0.0/16', 'node-2'),
      c: '192.168.84.129',
    });
    expect(plan.assignments[0]!.hostIfname).toMatch(/^cali[0-9a-f]{11}$/);
  });

  test('a full block makes the node claim the next one (blockSize 31: two addresses per block)', () => {
    const lab = makeLab({
      ipPools: [pool('p', '10.10.0.0/24', { blockSize: 31 })],
      pods: ['a', 'b', 'c'].map((n) => pod(n, 'node-1')),
    });
    const plan = planIpam(lab);
    const [b0, b1] = [0, 1].map((n) => nthBlock('10.10.0.0/24', 'node-1', n, 31));
    expect(addrs(plan)).toEqual({ a: at(b0!), b: at(b0!, 1), c: at(b1!) });
    expect(plan.blocks.map((b) => b.cidr)).toEqual([b0, b1]);
  });

  test('disabled pools and pools whose nodeSelector does not match are not used', () => {
    const lab = makeLab({
      ipPools: [
        pool('a-disabled', '10.1.0.0/16', { disabled: true }),
        pool('b-zone-b', '10.2.0.0/16', { nodeSelector: "zone == 'b'" }),
        pool('c-zone-a', '10.3.0.0/16', { nodeSelector: "zone == 'a'" }),
        pool('d-by-hostname', '10.4.0.0/16', {
          nodeSelector: "kubernetes.io/hostname == 'node-2'",
        }),
      ],
    });
    expect(addrs(planIpam(lab))).toEqual({
      'web-1': first('10.3.0.0/16', 'node-1'),
      'db-1': first('10.4.0.0/16', 'node-2'),
    });
  });

  test('several usable pools: the first by name', () => {
    const lab = makeLab({ ipPools: [pool('zzz', '10.1.0.0/16'), pool('aaa', '10.2.0.0/16')] });
    expect(addrs(planIpam(lab))['web-1']).toBe(first('10.2.0.0/16', 'node-1'));
  });

  test('the ipv4pools annotation picks pools by name or CIDR and bypasses selectors', () => {
    const lab = makeLab({
      ipPools: [
        pool('main', '10.1.0.0/16'),
        pool('other', '10.2.0.0/16', { nodeSelector: '!all()' }),
      ],
      pods: [
        pod('by-name', 'node-1', {
          annotations: { 'cni.projectcalico.org/ipv4pools': '["other"]' },
        }),
        pod('by-cidr', 'node-2', {
          annotations: { 'cni.projectcalico.org/ipv4pools': '["10.2.0.0/16"]' },
        }),
        pod('plain', 'node-1'),
      ],
    });
    expect(addrs(planIpam(lab))).toEqual({
      'by-name': first('10.2.0.0/16', 'node-1'),
      'by-cidr': first('10.2.0.0/16', 'node-2'),
      plain: first('10.1.0.0/16', 'node-1'),
    });
  });

  test("annotation naming a disabled pool fails with Calico's message, pointing at the pod", () => {
    const lab = makeLab({
      ipPools: [pool('main', '10.1.0.0/16'), pool('off', '10.2.0.0/16', { disabled: true })],
      pods: [pod('x', 'node-1', { annotations: { 'cni.projectcalico.org/ipv4pools': '["off"]' } })],
    });
    try {
      planIpam(lab);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LabInputError);
      const p = (e as LabInputError).problems[0]!;
      expect(p.field).toBe('spec.pods[0].annotations');
      expect(p.message).toContain('the given pool (10.2.0.0/16) does not exist, or is not enabled');
    }
  });

  test('a pod no pool can serve is reported, with every such pod', () => {
    const lab = makeLab({
      ipPools: [pool('a-only', '10.1.0.0/16', { nodeSelector: "zone == 'a'" })],
      nodes: [
        node('node-1', '172.30.0.11', { labels: { zone: 'a' } }),
        node('node-2', '172.30.0.12'),
        node('node-3', '172.30.0.13'),
      ],
      pods: [pod('ok', 'node-1'), pod('x', 'node-2'), pod('y', 'node-3')],
    });
    expect(() => planIpam(lab)).toThrowError(
      /no IPPool can give it an address on node node-2 \(a-only: nodeSelector[\s\S]*node-3/,
    );
  });

  test('Manual pools serve only pods that ask for them; Workload must be an allowed use', () => {
    const lab = makeLab({
      ipPools: [
        pool('a-manual', '10.1.0.0/16', { assignmentMode: 'Manual' }),
        pool('b-tunnel', '10.2.0.0/16', { allowedUses: ['Tunnel'] }),
        pool('c', '10.3.0.0/16'),
      ],
      pods: [
        pod('auto', 'node-1'),
        pod('asks', 'node-1', {
          annotations: { 'cni.projectcalico.org/ipv4pools': '["a-manual"]' },
        }),
      ],
    });
    expect(addrs(planIpam(lab))).toEqual({
      auto: first('10.3.0.0/16', 'node-1'),
      asks: first('10.1.0.0/16', 'node-1'),
    });
  });

  test('a node reuses a block it already holds before claiming in pool order', () => {
    const lab = makeLab({
      ipPools: [pool('a', '10.1.0.0/16'), pool('b', '10.2.0.0/16')],
      pods: [
        pod('first', 'node-1', { annotations: { 'cni.projectcalico.org/ipv4pools': '["b"]' } }),
        pod('second', 'node-1'),
      ],
    });
    // Calico looks at the host's affine blocks in usable pools first.
    expect(addrs(planIpam(lab))).toEqual({
      first: first('10.2.0.0/16', 'node-1'),
      second: first('10.2.0.0/16', 'node-1', 1),
    });
  });

  test('pinned: running pods keep their addresses when their pool is disabled; new pods go elsewhere', () => {
    const before = makeLab({
      ipPools: [pool('old', '10.1.0.0/16'), pool('new', '10.2.0.0/16', { disabled: true })],
    });
    const firstPlan = planIpam(before);
    const after = makeLab({
      ipPools: [pool('old', '10.1.0.0/16', { disabled: true }), pool('new', '10.2.0.0/16')],
      pods: [...before.pods, pod('late', 'node-1')],
    });
    const second = planIpam(after, firstPlan);
    expect(addrs(second)).toEqual({
      'web-1': first('10.1.0.0/16', 'node-1'),
      'db-1': first('10.1.0.0/16', 'node-2'),
      late: first('10.2.0.0/16', 'node-1'),
    });
    expect(second.blocks.map((b) => b.cidr)).toEqual([
      nthBlock('10.1.0.0/16', 'node-1'),
      nthBlock('10.1.0.0/16', 'node-2'),
      nthBlock('10.2.0.0/16', 'node-1'),
    ]);
  });

  test('pinned: a pod moved to another node gets a new address', () => {
    const firstPlan = planIpam(makeLab());
    const moved = makeLab({ pods: [pod('web-1', 'node-2'), pod('db-1', 'node-2')] });
    // db-1 keeps its address in node-2's block; web-1 takes the next ordinal there.
    expect(addrs(planIpam(moved, firstPlan))).toEqual({
      'web-1': first('192.168.0.0/16', 'node-2', 1),
      'db-1': first('192.168.0.0/16', 'node-2'),
    });
  });

  test("no unclaimed block left: the pod borrows from another node's block (strictAffinity false)", () => {
    // Two /26 blocks; node-1 fills its block and claims the other, so node-2 has none to claim.
    const lab = makeLab({
      ipPools: [pool('small', '10.9.0.0/25')],
      pods: [
        ...Array.from({ length: 65 }, (_, i) => pod(`a${i}`, 'node-1')),
        pod('late', 'node-2'),
      ],
    });
    const plan = planIpam(lab);
    expect(plan.blocks.map((b) => b.node)).toEqual(['node-1', 'node-1']);
    const late = plan.assignments.find((a) => a.pod === 'late')!;
    expect(late.borrowedFrom).toBe('node-1');
    expect(late.node).toBe('node-2');
    // The first block in node-2's walk with room: the one node-1 filled is full, so the other.
    const withRoom = [0, 1]
      .map((n) => nthBlock('10.9.0.0/25', 'node-2', n))
      .find((b) => b === nthBlock('10.9.0.0/25', 'node-1', 1))!;
    expect(late.block).toBe(withRoom);
    expect(late.address).toBe(at(withRoom, 1)); // a64 took ordinal 0 of node-1's second block
    expect(plan.assignments.filter((a) => a.borrowedFrom).length).toBe(1);
  });

  test('every address taken: the pod is refused, pointing at it', () => {
    const lab = makeLab({
      ipPools: [pool('tiny', '10.9.0.0/31', { blockSize: 31 })],
      pods: [pod('a', 'node-1'), pod('b', 'node-2'), pod('c', 'node-2')],
    });
    expect(() => planIpam(lab)).toThrowError(
      /spec\.pods\[2\][\s\S]*no free address left in pool\(s\) tiny/,
    );
  });

  test('ipAddrs: the pod gets exactly that address; its block is claimed for its node', () => {
    const ipAddrs = (a: string) => ({
      annotations: { 'cni.projectcalico.org/ipAddrs': `["${a}"]` },
    });
    const lab = makeLab({
      ipPools: [pool('p', '10.244.0.0/16', { blockSize: 24 })],
      pods: [
        pod('x', 'node-1', ipAddrs('10.244.7.33')),
        pod('y', 'node-2', ipAddrs('10.244.7.34')),
        pod('z', 'node-1'),
      ],
    });
    const plan = planIpam(lab);
    expect(addrs(plan)).toEqual({ x: '10.244.7.33', y: '10.244.7.34', z: '10.244.7.0' });
    expect(plan.blocks[0]).toEqual({ cidr: '10.244.7.0/24', pool: 'p', node: 'node-1' });
    // y's address lies in node-1's block: Calico assigns it anyway (strictAffinity false).
    expect(plan.assignments.find((a) => a.pod === 'y')!.borrowedFrom).toBe('node-1');
    expect(plan.assignments.find((a) => a.pod === 'z')!.borrowedFrom).toBeUndefined();
  });

  test("ipAddrs outside every enabled pool, or taken: Calico's messages, at the annotation", () => {
    const ipAddrs = (a: string) => ({
      annotations: { 'cni.projectcalico.org/ipAddrs': `["${a}"]` },
    });
    const lab = makeLab({
      ipPools: [pool('p', '10.244.0.0/16'), pool('off', '10.1.0.0/16', { disabled: true })],
      pods: [
        pod('out', 'node-1', ipAddrs('10.1.0.5')),
        pod('one', 'node-1', ipAddrs('10.244.0.5')),
        pod('two', 'node-2', ipAddrs('10.244.0.5')),
      ],
    });
    try {
      planIpam(lab);
      expect.unreachable();
    } catch (e) {
      const problems = (e as LabInputError).problems;
      expect(problems.map((p) => [p.field, p.message])).toEqual([
        [
          'spec.pods[0].annotations.cni.projectcalico.org/ipAddrs',
          'pod out: 10.1.0.5: The provided IP address is not in a configured pool',
        ],
        [
          'spec.pods[2].annotations.cni.projectcalico.org/ipAddrs',
          'pod two: 10.244.0.5: Address already assigned in block',
        ],
      ]);
    }
  });

  test('deterministic: the same lab gives the same plan', () => {
    expect(planIpam(makeLab())).toEqual(planIpam(makeLab()));
  });
});
