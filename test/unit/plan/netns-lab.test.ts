// The plan realized with network namespaces and real packets (test/unit/helpers/netns.ts):
// explain's prediction of the source a destination sees, and of whether the reply returns,
// must match what the kernel does. Skipped unless root with ip netns, ipset and iptables.
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { felix, makeLab, node, peer, pool } from '../helpers/lab.js';
import { NetnsLab, netnsAvailable } from '../helpers/netns.js';

const PREFIX = `egl${process.pid % 100000}`;
const net = new NetnsLab(PREFIX);
afterEach(() => net.cleanup());
afterAll(() => net.sweep());

async function check(lab: Lab, podName: string, target: string): Promise<void> {
  const plan = planLab(lab);
  net.realize(plan);
  const e = explain(plan, podName, target, { protocol: 'udp' });
  const host = lab.hosts.find((h) => h.name === target);
  const port = host?.udpPorts[0] ?? 8081;
  const echo = await net.startEcho(target, port);
  const out = net.send(podName, e.destination, port);
  await new Promise((r) => setTimeout(r, 100));
  expect(echo.seen[0], `source seen by ${target}`).toBe(e.seenSource);
  expect(out.startsWith('seen '), `reply back at ${podName}: ${out}`).toBe(e.reply);
}

const noNat = [pool('default-ipv4-ippool', '192.168.0.0/16')];

describe.skipIf(!netnsAvailable(PREFIX))(
  'plan realized in network namespaces agrees with explain',
  () => {
    test('natOutgoing true: internet sees the node, reply returns', async () => {
      await check(makeLab(), 'web-1', 'internet');
    });
    test('natOutgoing false, no BGP: internet sees the pod, no reply', async () => {
      await check(makeLab({ ipPools: noNat }), 'web-1', 'internet');
    });
    test('natOutgoing false, BGP to the router: pod seen, reply returns (routes as BIRD would install)', async () => {
      await check(
        makeLab({
          ipPools: noNat,
          bgpPeers: [peer('tor', '172.30.0.1', 64500, { node: 'node-1' })],
        }),
        'db-1',
        'internet',
      );
    });
    test('disabled 10.0.0.0/8 pool: corp sees the pod', async () => {
      const pools = [
        pool('default-ipv4-ippool', '192.168.0.0/16', { natOutgoing: true }),
        pool('no-nat', '10.0.0.0/8', { disabled: true }),
      ];
      await check(makeLab({ ipPools: pools }), 'web-1', 'corp');
    });
    test('pod to the other node: masqueraded by default', async () => {
      await check(makeLab(), 'web-1', 'node-2');
    });
    test('natOutgoingExclusions IPPoolsAndHostIPs: node-2 sees the pod address and answers over the mesh route', async () => {
      await check(
        makeLab({ felixConfiguration: felix({ natOutgoingExclusions: 'IPPoolsAndHostIPs' }) }),
        'web-1',
        'node-2',
      );
    });
    test('pod to pod across nodes over the mesh routes: never NATed', async () => {
      await check(makeLab(), 'web-1', 'db-1');
    });
    test('natOutgoingAddress on a second address of node-1: SNAT to it, reply returns', async () => {
      const lab = makeLab({
        nodes: [
          node('node-1', '172.30.0.11', { extraAddresses: ['172.30.0.111/24'] }),
          node('node-2', '172.30.0.12'),
        ],
        felixConfiguration: felix({
          natOutgoingAddress: '172.30.0.111',
          natPortRange: '40000:40100',
        }),
      });
      await check(lab, 'web-1', 'internet');
    });
  },
);
