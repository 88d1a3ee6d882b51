import { describe, expect, test } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { planIpam } from '../../../src/core/ipam/plan-ipam.js';
import { makeLab, node, pod, pool } from '../helpers/lab.js';

const addrs = (plan: ReturnType<typeof planIpam>) =>
  Object.fromEntries(plan.assignments.map((a) => [a.pod, a.address]));

describe('planIpam', () => {
  test('each node claims its own block; addresses start at the block start', () => {
    const lab = makeLab({ pods: [pod('a', 'node-1'), pod('b', 'node-2'), pod('c', 'node-1')] });
    const plan = planIpam(lab);
    expect(plan.blocks).toEqual([
      { cidr: '192.168.0.0/26', pool: 'default-ipv4-ippool', node: 'node-1' },
      { cidr: '192.168.0.64/26', pool: 'default-ipv4-ippool', node: 'node-2' },
    ]);
    expect(addrs(plan)).toEqual({ a: '192.168.0.0', b: '192.168.0.64', c: '192.168.0.1' });
    expect(plan.assignments[0]!.hostIfname).toMatch(/^cali[0-9a-f]{11}$/);
  });

  test('a full block makes the node claim the next one (blockSize 31: two addresses per block)', () => {
    const lab = makeLab({
      ipPools: [pool('p', '10.10.0.0/24', { blockSize: 31 })],
      pods: ['a', 'b', 'c'].map((n) => pod(n, 'node-1')),
    });
    const plan = planIpam(lab);
    expect(addrs(plan)).toEqual({ a: '10.10.0.0', b: '10.10.0.1', c: '10.10.0.2' });
    expect(plan.blocks.map((b) => b.cidr)).toEqual(['10.10.0.0/31', '10.10.0.2/31']);
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
    expect(addrs(planIpam(lab))).toEqual({ 'web-1': '10.3.0.0', 'db-1': '10.4.0.0' });
  });

  test('several usable pools: the first by name', () => {
    const lab = makeLab({ ipPools: [pool('zzz', '10.1.0.0/16'), pool('aaa', '10.2.0.0/16')] });
    expect(addrs(planIpam(lab))['web-1']).toBe('10.2.0.0');
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
      'by-name': '10.2.0.0',
      'by-cidr': '10.2.0.64',
      plain: '10.1.0.0',
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
    expect(addrs(planIpam(lab))).toEqual({ auto: '10.3.0.0', asks: '10.1.0.0' });
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
    expect(addrs(planIpam(lab))).toEqual({ first: '10.2.0.0', second: '10.2.0.1' });
  });

  test('pinned: running pods keep their addresses when their pool is disabled; new pods go elsewhere', () => {
    const before = makeLab({
      ipPools: [pool('old', '10.1.0.0/16'), pool('new', '10.2.0.0/16', { disabled: true })],
    });
    const first = planIpam(before);
    const after = makeLab({
      ipPools: [pool('old', '10.1.0.0/16', { disabled: true }), pool('new', '10.2.0.0/16')],
      pods: [...before.pods, pod('late', 'node-1')],
    });
    const second = planIpam(after, first);
    expect(addrs(second)).toEqual({ 'web-1': '10.1.0.0', 'db-1': '10.1.0.64', late: '10.2.0.0' });
    expect(second.blocks.map((b) => b.cidr)).toEqual([
      '10.1.0.0/26',
      '10.1.0.64/26',
      '10.2.0.0/26',
    ]);
  });

  test('pinned: a pod moved to another node gets a new address', () => {
    const first = planIpam(makeLab());
    const moved = makeLab({ pods: [pod('web-1', 'node-2'), pod('db-1', 'node-2')] });
    expect(addrs(planIpam(moved, first))).toEqual({
      'web-1': '192.168.0.65',
      'db-1': '192.168.0.64',
    });
  });

  test('deterministic: the same lab gives the same plan', () => {
    expect(planIpam(makeLab())).toEqual(planIpam(makeLab()));
  });
});
