// The seeds' scenarios (issue 3's lab tests), predicted offline.
import { describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { LabInputError } from '../../../src/core/errors.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { felix, makeLab, node, peer, pool } from '../helpers/lab.js';

const torPeer = peer('tor', '172.30.0.1', 64500);

describe('explain', () => {
  test('natOutgoing true: the internet host sees the node address, replies return', () => {
    const e = explain(planLab(makeLab()), 'web-1', 'internet');
    expect(e).toMatchObject({
      podAddress: '192.168.0.0',
      node: 'node-1',
      destination: '203.0.113.10',
      destinationName: 'internet',
      sourcePool: { name: 'default-ipv4-ippool', natOutgoing: true },
      seenSource: '172.30.0.11',
      seenAs: 'node',
      reply: true,
    });
    expect(e.destinationPool).toBeUndefined();
    expect(e.nat).toMatchObject({
      action: 'masquerade',
      toSource: '172.30.0.11',
      rule: { chain: 'cali-nat-outgoing', index: 0, hash: 'flqWnvo8yq4ULQLa' },
    });
    expect(e.warnings.join(' ')).toMatch(/conntrack/);
  });

  test('natOutgoing false, no BGP to the router: the host sees the pod address, no reply', () => {
    const e = explain(
      planLab(makeLab({ ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16')] })),
      'web-1',
      '203.0.113.10',
    );
    expect(e).toMatchObject({
      seenSource: '192.168.0.0',
      seenAs: 'pod',
      reply: false,
      nat: { action: 'none' },
    });
    expect(e.routeBack!.reason).toMatch(/no BGPPeer/);
    expect(e.forward!.ok).toBe(true);
  });

  test('natOutgoing false with BGP peering to the router: pod address seen, replies return', () => {
    const lab = makeLab({
      ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16')],
      bgpPeers: [torPeer],
    });
    const e = explain(planLab(lab), 'web-1', 'internet');
    expect(e).toMatchObject({ seenAs: 'pod', reply: true });
    expect(e.routeBack!.reason).toMatch(/192\.168\.0\.0\/26/);
  });

  test("disabled 10.0.0.0/8 pool (the docs' no-nat trick): corp sees the pod, internet the node", () => {
    const lab = makeLab({
      ipPools: [
        pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing: true }),
        pool('no-nat-10.0.0.0-8', '10.0.0.0/8', { disabled: true }),
      ],
    });
    const plan = planLab(lab);
    const corp = explain(plan, 'web-1', 'corp');
    expect(corp).toMatchObject({
      seenAs: 'pod',
      nat: { action: 'none' },
      destinationPool: { name: 'no-nat-10.0.0.0-8', disabled: true },
    });
    expect(corp.warnings.join(' ')).toMatch(/disabled pool/);
    expect(explain(plan, 'web-1', 'internet')).toMatchObject({ seenAs: 'node', reply: true });
  });

  test('disableBGPExport: the block is not exported, so no route back', () => {
    const lab = makeLab({
      ipPools: [pool('default-ipv4-ippool', '192.168.0.0/16', { disableBGPExport: true })],
      bgpPeers: [torPeer],
    });
    const e = explain(planLab(lab), 'web-1', 'internet');
    expect(e).toMatchObject({ seenAs: 'pod', reply: false });
    expect(e.routeBack!.reason).toMatch(/disableBGPExport/);
  });

  test('a BGPPeer with the wrong AS never establishes: no route back', () => {
    const lab = makeLab({
      ipPools: [pool('p', '192.168.0.0/16')],
      bgpPeers: [peer('tor', '172.30.0.1', 64999)],
    });
    const e = explain(planLab(lab), 'web-1', 'internet');
    expect(e.reply).toBe(false);
    expect(e.routeBack!.reason).toMatch(/expects AS 64999/);
  });

  test("mesh: a node that peers with the router re-announces the other nodes' blocks", () => {
    const lab = makeLab({
      ipPools: [pool('p', '192.168.0.0/16')],
      bgpPeers: [peer('tor', '172.30.0.1', 64500, { node: 'node-1' })],
    });
    expect(explain(planLab(lab), 'db-1', 'internet').reply).toBe(true);
    const noMesh = {
      ...lab,
      bgpConfiguration: {
        kind: 'BGPConfiguration' as const,
        name: 'default',
        spec: { asNumber: 64512, nodeToNodeMeshEnabled: false },
      },
    };
    expect(explain(planLab(noMesh), 'db-1', 'internet').reply).toBe(false);
  });

  test('natOutgoingAddress: SNAT to it; replies only return when the node owns that address', () => {
    const own = makeLab({
      nodes: [
        node('node-1', '172.30.0.11', { extraAddresses: ['172.30.0.111/24'] }),
        node('node-2', '172.30.0.12'),
      ],
      felixConfiguration: felix({ natOutgoingAddress: '172.30.0.111' }),
    });
    const e = explain(planLab(own), 'web-1', 'internet');
    expect(e).toMatchObject({
      nat: { action: 'snat', toSource: '172.30.0.111' },
      seenSource: '172.30.0.111',
      seenAs: 'address',
      reply: true,
    });
    const foreign = makeLab({ felixConfiguration: felix({ natOutgoingAddress: '198.51.100.99' }) });
    expect(explain(planLab(foreign), 'web-1', 'internet')).toMatchObject({
      seenSource: '198.51.100.99',
      reply: false,
    });
  });

  test("multi-homed node: MASQUERADE takes the address in the next hop's subnet", () => {
    const lab = makeLab({
      nodes: [
        node('node-1', '172.30.0.11', { extraAddresses: ['198.51.100.5/24'] }),
        node('node-2', '172.30.0.12'),
      ],
    });
    expect(explain(planLab(lab), 'web-1', 'internet').seenSource).toBe('172.30.0.11');
  });

  test('interface filter that does not match eth0: no NAT', () => {
    const lab = makeLab({
      felixConfiguration: felix({ iptablesNATOutgoingInterfaceFilter: 'ens+' }),
    });
    expect(explain(planLab(lab), 'web-1', 'internet')).toMatchObject({
      seenAs: 'pod',
      nat: { action: 'none' },
    });
    const eth = makeLab({
      felixConfiguration: felix({ iptablesNATOutgoingInterfaceFilter: 'eth+' }),
    });
    expect(explain(planLab(eth), 'web-1', 'internet')).toMatchObject({ seenAs: 'node' });
  });

  test('pod to pod: inside the pools, never NATed; the mesh carries it', () => {
    const e = explain(planLab(makeLab()), 'web-1', 'db-1');
    expect(e).toMatchObject({
      destinationName: 'db-1',
      seenAs: 'pod',
      nat: { action: 'none' },
      reply: true,
    });
    expect(e.destinationPool).toMatchObject({ name: 'default-ipv4-ippool' });
    const noMesh = makeLab({
      bgpConfiguration: {
        kind: 'BGPConfiguration',
        name: 'default',
        spec: { asNumber: 64512, nodeToNodeMeshEnabled: false },
      },
    });
    expect(explain(planLab(noMesh), 'web-1', 'db-1')).toMatchObject({
      reply: false,
      forward: { ok: false },
    });
  });

  test("to the pod's own node: delivered locally, never NATed", () => {
    const e = explain(planLab(makeLab()), 'web-1', 'node-1');
    expect(e).toMatchObject({ nat: { action: 'none' }, seenAs: 'pod', reply: true, visited: [] });
    expect(explain(planLab(makeLab()), 'web-1', 'node-2')).toMatchObject({
      seenAs: 'node',
      reply: true,
    });
  });

  test('a tunnel pool: explain says where and how the packet is encapsulated', () => {
    const lab = makeLab({
      ipPools: [
        pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing: true, ipipMode: 'Always' }),
      ],
    });
    const plan = planLab(lab);
    const e = explain(plan, 'web-1', 'db-1');
    const addr = (n: string) => lab.nodes.find((x) => x.name === n)!.address;
    expect(e.encapsulation).toEqual({
      kind: 'ipip',
      device: 'tunl0',
      outerSource: addr('node-1'),
      outerDestination: addr('node-2'),
      podMtu: 1480,
    });
    expect(e.outIf).toBe('tunl0');
    expect(e.steps.join('\n')).toContain(
      `encapsulated in IP-in-IP ${addr('node-1')} -> ${addr('node-2')}`,
    );
    expect(e.warnings.join('\n')).not.toMatch(/natively/);
  });

  test('an address nothing answers at', () => {
    const e = explain(planLab(makeLab()), 'web-1', '198.51.100.1');
    expect(e).toMatchObject({ seenAs: 'node', reply: false, forward: { ok: false } });
  });

  test('unknown pod or garbage destination: a clear LabInputError', () => {
    const plan = planLab(makeLab());
    expect(() => explain(plan, 'nope', 'internet')).toThrowError(LabInputError);
    expect(() => explain(plan, 'web-1', 'not-a-thing')).toThrowError(
      /not a pod, host, node or IPv4 address/,
    );
  });
});
