import { describe, expect, test } from 'vitest';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderBirdConfig, renderContainer } from '../../../src/core/plan/render-container.js';
import type { LabPlan } from '../../../src/core/plan/types.js';
import { host, makeLab, node, peer, pod } from '../helpers/lab.js';

const c = (plan: LabPlan, name: string) => plan.containers.find((x) => x.name === name)!;

describe('planLab topology', () => {
  const plan = planLab(makeLab());

  test('one container per router, node, pod and host, in that order', () => {
    expect(plan.containers.map((x) => [x.name, x.role])).toEqual([
      ['tor', 'router'],
      ['node-1', 'node'],
      ['node-2', 'node'],
      ['web-1', 'pod'],
      ['db-1', 'pod'],
      ['internet', 'host'],
      ['corp', 'host'],
    ]);
  });

  test('fabric: node eth0 <-> router port enslaved to br0, router address on br0', () => {
    const tor = c(plan, 'tor');
    expect(tor.bridges).toEqual([{ name: 'br0' }]);
    expect(tor.interfaces.find((i) => i.ifname === 'br0')!.addresses).toEqual(['172.30.0.1/24']);
    expect(plan.links).toContainEqual({
      a: { container: 'node-1', ifname: 'eth0' },
      b: { container: 'tor', ifname: 'f-node-1' },
    });
    expect(tor.interfaces.find((i) => i.ifname === 'f-node-1')!.master).toBe('br0');
    expect(c(plan, 'node-1').interfaces[0]).toEqual({
      ifname: 'eth0',
      addresses: ['172.30.0.11/24'],
    });
  });

  test('host segment: the router holds the host gateway address', () => {
    expect(plan.links).toContainEqual({
      a: { container: 'internet', ifname: 'eth0' },
      b: { container: 'tor', ifname: 'h-internet' },
    });
    expect(c(plan, 'tor').interfaces.find((i) => i.ifname === 'h-internet')!.addresses).toEqual([
      '203.0.113.1/24',
    ]);
    expect(c(plan, 'internet').interfaces).toEqual([
      { ifname: 'eth0', addresses: ['203.0.113.10/24'] },
    ]);
    expect(renderContainer(c(plan, 'internet')).routes).toBe(
      'route replace default via 203.0.113.1 dev eth0\n',
    );
    expect(c(plan, 'internet').services).toEqual([
      { kind: 'tcp-echo', port: 8080 },
      { kind: 'udp-echo', port: 8081 },
    ]);
  });

  test('pods: /32 on eth0, 169.254.1.1 gateway; node side cali… with Calico MAC and proxy ARP', () => {
    const web = plan.ipam.assignments.find((a) => a.pod === 'web-1')!;
    expect(c(plan, 'web-1').interfaces).toEqual([
      { ifname: 'eth0', addresses: [`${web.address}/32`] },
    ]);
    expect(renderContainer(c(plan, 'web-1')).routes).toBe(
      'route replace 169.254.1.1 dev eth0 scope link\nroute replace default via 169.254.1.1 dev eth0\n',
    );
    expect(plan.links).toContainEqual({
      a: { container: 'web-1', ifname: 'eth0' },
      b: { container: 'node-1', ifname: web.hostIfname, mac: 'ee:ee:ee:ee:ee:ee' },
    });
    const hostIf = c(plan, 'node-1').interfaces.find((i) => i.ifname === web.hostIfname)!;
    expect(hostIf.proxyArp).toBe(true);
    expect(hostIf.sysctls).toMatchObject({ [`net.ipv4.conf.${web.hostIfname}.proxy_arp`]: '1' });
    expect(renderContainer(c(plan, 'node-1')).routes).toBe(
      `route replace default via 172.30.0.1 dev eth0\nroute replace ${web.address}/32 dev ${web.hostIfname} scope link\n`,
    );
  });

  test('forwarding on router and nodes, rp_filter off there', () => {
    for (const n of ['tor', 'node-1']) {
      expect(c(plan, n).sysctls).toMatchObject({
        'net.ipv4.ip_forward': '1',
        'net.ipv4.conf.all.rp_filter': '0',
      });
    }
    expect(c(plan, 'web-1').sysctls).toEqual({});
  });

  test('nodes carry their dataplane, rendered at the edge', () => {
    const n1 = c(plan, 'node-1');
    expect(n1.dataplane!.ipsets.map((s) => s.name)).toEqual([
      'cali40masq-ipam-pools',
      'cali40all-ipam-pools',
    ]);
    const r = renderContainer(n1);
    expect(r.iptablesNat).toContain('cali:flqWnvo8yq4ULQLa');
    expect(r.ipsetRestore).toContain('add cali4t0 192.168.0.0/16');
    const block = plan.ipam.blocks.find((b) => b.node === 'node-1')!.cidr;
    expect(r.birdConfig).toContain(`route ${block} blackhole;`);
    // The plan itself is data only: no text anywhere in it.
    expect(JSON.stringify(plan)).not.toMatch(/COMMIT|route replace|router id/);
  });

  test('every interface name fits in 15 characters and is unique per container', () => {
    const lab = makeLab({
      nodes: [
        node('a-node-with-a-very-long-name', '172.30.0.11'),
        node('another-node-with-long-name', '172.30.0.12'),
      ],
      pods: [pod('p', 'a-node-with-a-very-long-name')],
      hosts: [host('the-whole-wide-internet', '203.0.113.10', 24, '203.0.113.1')],
    });
    const p = planLab(lab);
    for (const ct of p.containers) {
      const names = ct.interfaces.map((i) => i.ifname);
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n.length).toBeLessThanOrEqual(15);
    }
    expect(c(p, 'tor').interfaces.map((i) => i.ifname)).toEqual(['br0', 'fab1', 'fab2', 'seg1']);
  });

  test('extraAddresses follow the main address on eth0', () => {
    const p = planLab(
      makeLab({
        nodes: [
          node('node-1', '172.30.0.11', { extraAddresses: ['198.51.100.5/24', '192.0.2.7'] }),
          node('node-2', '172.30.0.12'),
        ],
      }),
    );
    expect(c(p, 'node-1').interfaces[0]!.addresses).toEqual([
      '172.30.0.11/24',
      '198.51.100.5/24',
      '192.0.2.7/32',
    ]);
  });

  test('router BIRD: a session per node with a BGPPeer at the router address', () => {
    const p = planLab(
      makeLab({ bgpPeers: [peer('tor', '172.30.0.1', 64500, { node: 'node-2' })] }),
    );
    expect(c(p, 'tor').routerBgp!.sessions.map((s) => [s.node, s.name])).toEqual([
      ['node-2', 'Node_172_30_0_12'],
    ]);
    expect(renderBirdConfig(c(p, 'tor'))).toContain(
      'protocol bgp Node_172_30_0_12 from node_template {',
    );
    expect(renderBirdConfig(c(p, 'node-2'))).toContain(
      'protocol bgp Node_172_30_0_1 from bgp_template {',
    );
    expect(renderBirdConfig(c(p, 'node-1'))).not.toContain('Node_172_30_0_1 ');
  });
});
