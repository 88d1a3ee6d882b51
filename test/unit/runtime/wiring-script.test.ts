import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { LinkSpec } from '../../../src/core/plan/types.js';
import {
  interfaceSysctls,
  stableMac,
  sysctlPath,
  vethArgs,
  wiringScript,
  type WiringContainer,
} from '../../../src/runtime/wiring-script.js';

const containers: WiringContainer[] = [
  {
    name: 'tor',
    pid: 100,
    bridges: [{ name: 'br0' }],
    interfaces: [
      { ifname: 'br0', addresses: ['172.30.0.1/24'] },
      { ifname: 'f-node-1', addresses: [], master: 'br0' },
    ],
  },
  {
    name: 'node-1',
    pid: 200,
    bridges: [],
    interfaces: [
      { ifname: 'eth0', addresses: ['172.30.0.11/24', '172.30.0.21/24'] },
      { ifname: 'cali0761ccbeace', addresses: [], proxyArp: true },
    ],
  },
  {
    name: 'web-1',
    pid: 300,
    bridges: [],
    interfaces: [{ ifname: 'eth0', addresses: ['192.168.0.0/32'] }],
  },
];
const fabric: LinkSpec = {
  a: { container: 'node-1', ifname: 'eth0' },
  b: { container: 'tor', ifname: 'f-node-1' },
};
const pod: LinkSpec = {
  a: { container: 'node-1', ifname: 'cali0761ccbeace', mac: 'ee:ee:ee:ee:ee:ee' },
  b: { container: 'web-1', ifname: 'eth0' },
};

describe('wiring script', () => {
  it('creates fresh veth pairs straight into both namespaces in one ip -batch', () => {
    const s = wiringScript(containers, [
      { link: fabric, verify: false },
      { link: pod, verify: false },
    ]);
    const batch = s
      .split("ip -batch - <<'EGRESS_LAB_EOF'\n")[1]!
      .split('\nEGRESS_LAB_EOF')[0]!
      .split('\n');
    expect(batch).toEqual([
      `link add name eth0 address ${stableMac('node-1', 'eth0')} netns /proc/200/ns/net type veth peer name f-node-1 address ${stableMac('tor', 'f-node-1')} netns /proc/100/ns/net`,
      `link add name cali0761ccbeace address ee:ee:ee:ee:ee:ee netns /proc/200/ns/net type veth peer name eth0 address ${stableMac('web-1', 'eth0')} netns /proc/300/ns/net`,
    ]);
    execFileSync('sh', ['-n', '-c', s]); // syntax
  });

  it('configures every container: bridge, port, addresses in order, proxy ARP with no delay', () => {
    const s = wiringScript(containers, [{ link: fabric, verify: false }]);
    expect(s).toContain(
      'nsenter -t 100 -n ip link show dev br0 >/dev/null 2>&1 || nsenter -t 100 -n ip link add name br0 type bridge',
    );
    const node = s.indexOf('nsenter -t 200 -n ip -batch -');
    expect(s.slice(node)).toMatch(
      /addr replace 172\.30\.0\.11\/24 dev eth0\naddr replace 172\.30\.0\.21\/24 dev eth0\n/,
    );
    expect(s).toContain('link set dev f-node-1 master br0');
    expect(s).toContain(`link set dev br0 address ${stableMac('tor', 'br0')}`);
    expect(s).toContain(
      'net/ipv4/conf/cali0761ccbeace/proxy_arp 1 net/ipv4/neigh/cali0761ccbeace/proxy_delay 0',
    );
    expect(s).toContain('mount -t proc proc /tmp/egress-lab-proc');
  });

  it('keeps intact pairs between reused containers and re-makes broken ones', () => {
    const s = wiringScript(containers, [{ link: fabric, verify: true }]);
    expect(s).not.toContain("ip -batch - <<'EGRESS_LAB_EOF'\nlink add");
    // one listing per namespace, then a membership test per link
    expect(s.match(/ip -o link show/g)).toHaveLength(2);
    expect(s).toContain(`case "$L0" in *' eth0 '*) case "$L1" in *' f-node-1 '*) ok=1`);
    expect(s).toContain("echo 'relinked node-1/eth0 tor/f-node-1'");
    execFileSync('sh', ['-n', '-c', s]);
  });

  it('decides in a real shell: an intact pair is kept, a broken one re-made', () => {
    const s = wiringScript(containers, [{ link: fabric, verify: true }]);
    const check = s.slice(s.indexOf('case "$L0"'), s.indexOf('step=done'));
    const decide = (l0: string, l1: string): string =>
      execFileSync('sh', [
        '-c',
        `L0=${JSON.stringify(l0)}; L1=${JSON.stringify(l1)}\n${check.replace(/^ {2}(nsenter|ip) .*$/gm, '  :')}`,
      ]).toString();
    expect(decide(' lo eth0 cali0761ccbeace ', ' lo f-node-1 br0 ')).toBe('');
    expect(decide(' lo cali0761ccbeace ', ' lo f-node-1 br0 ')).toBe(
      'relinked node-1/eth0 tor/f-node-1\n',
    );
    expect(decide(' lo eth0 ', ' lo f-node-10 ')).toBe('relinked node-1/eth0 tor/f-node-1\n');
  });

  it('deletes a stale end in a reused container before re-linking a new peer', () => {
    const s = wiringScript(containers, [{ link: pod, verify: false, stale: ['a'] }]);
    const del = s.indexOf('nsenter -t 200 -n ip link del dev cali0761ccbeace');
    expect(del).toBeGreaterThan(0);
    expect(del).toBeLessThan(s.indexOf('link add name cali0761ccbeace'));
  });

  it('applies the routes of route-only containers in their batch, and lets nothing else into it', () => {
    const web = {
      ...containers[2]!,
      routes:
        'route replace 169.254.1.1 dev eth0 scope link\nroute replace default via 169.254.1.1 dev eth0\n',
    };
    const s = wiringScript([web], []);
    expect(s).toContain(
      'addr replace 192.168.0.0/32 dev eth0\nlink set dev eth0 up\nroute replace 169.254.1.1 dev eth0 scope link\nroute replace default via 169.254.1.1 dev eth0\nEGRESS_LAB_EOF',
    );
    expect(() =>
      wiringScript(
        [{ ...web, routes: 'route replace default dev eth0\nEGRESS_LAB_EOF\nreboot' }],
        [],
      ),
    ).toThrow(/not a plain ip route command/);
    expect(() => wiringScript([{ ...web, routes: 'link del eth0' }], [])).toThrow(
      /not a plain ip route command/,
    );
  });

  it('refuses names and values that are not what they claim to be', () => {
    const bad = (ifname: string) => () =>
      wiringScript(
        [{ name: 'x', pid: 1, bridges: [], interfaces: [{ ifname, addresses: [] }] }],
        [],
      );
    expect(bad('eth0; reboot')).toThrow(/interface name/);
    expect(bad('a'.repeat(16))).toThrow(/interface name/);
    expect(() =>
      wiringScript(
        [
          {
            name: 'x',
            pid: 1,
            bridges: [],
            interfaces: [{ ifname: 'eth0', addresses: ['1.2.3.4/24 dev lo'] }],
          },
        ],
        [],
      ),
    ).toThrow(/CIDR/);
    expect(() => wiringScript([{ name: 'X Y', pid: 1, bridges: [], interfaces: [] }], [])).toThrow(
      /container name/,
    );
    expect(() =>
      wiringScript([{ ...containers[0]!, pid: 0 }], [{ link: fabric, verify: false }]),
    ).toThrow(/no PID|no such container/);
    expect(() => vethArgs({ ...fabric, a: { ...fabric.a, mac: 'zz' } }, 1, 2)).toThrow(/MAC/);
  });

  it('maps per-interface sysctls to /proc/sys paths, dots in interface names included', () => {
    expect(sysctlPath('net.ipv4.conf.eth0.100.rp_filter', 'eth0.100')).toBe(
      'net/ipv4/conf/eth0.100/rp_filter',
    );
    expect(() => sysctlPath('kernel.panic', 'eth0')).toThrow(/net\.\*/);
    expect(() => sysctlPath('net.ipv4.conf.eth1.x', 'eth0')).toThrow();
    expect(
      interfaceSysctls([
        { ifname: 'eth0', addresses: [], sysctls: { 'net.ipv4.conf.eth0.proxy_arp': '1' } },
      ]),
    ).toEqual([{ path: 'net/ipv4/conf/eth0/proxy_arp', value: '1' }]);
    expect(() =>
      interfaceSysctls([
        { ifname: 'eth0', addresses: [], sysctls: { 'net.ipv4.conf.eth0.x': '1; reboot' } },
      ]),
    ).toThrow(/value/);
  });

  it('gives stable, locally administered, unicast MACs', () => {
    const m = stableMac('tor', 'br0');
    expect(m).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(stableMac('tor', 'br0')).toBe(m);
    expect(stableMac('node-1', 'eth0')).not.toBe(stableMac('node-2', 'eth0'));
  });
});
