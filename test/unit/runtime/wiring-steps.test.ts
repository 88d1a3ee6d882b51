import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LinkSpec } from '../../../src/core/plan/types.js';
import { renderWiring } from '../../../src/runtime/wiring/render.js';
import {
  HELPER_PROC,
  stableMac,
  wiringSteps,
  type StepContainer,
  type WiringStep,
} from '../../../src/runtime/wiring/steps.js';

/** A container ID as the engine gives it (64 hex digits), fixed per name. */
const cid = (name: string): string => createHash('sha256').update(name).digest('hex');
const tor: StepContainer = {
  name: 'tor',
  pid: 100,
  id: cid('tor'),
  bridges: [{ name: 'br0' }],
  interfaces: [
    { ifname: 'br0', addresses: ['172.30.0.1/24'] },
    { ifname: 'f-node-1', addresses: [], master: 'br0' },
    { ifname: 'f-node-2', addresses: [], master: 'br0' },
  ],
};
const node1: StepContainer = {
  name: 'node-1',
  pid: 200,
  id: cid('node-1'),
  bridges: [],
  interfaces: [
    { ifname: 'eth0', addresses: ['172.30.0.11/24'] },
    { ifname: 'cali1', addresses: [], proxyArp: true },
  ],
  bird: 'router id 172.30.0.11;\n',
};
const node2: StepContainer = {
  name: 'node-2',
  pid: 250,
  id: cid('node-2'),
  bridges: [],
  interfaces: [{ ifname: 'eth0', addresses: ['172.30.0.12/24'] }],
};
const web: StepContainer = {
  name: 'web-1',
  pid: 300,
  id: cid('web-1'),
  bridges: [],
  interfaces: [{ ifname: 'eth0', addresses: ['192.168.0.1/32'] }],
  routes: ['route replace default via 169.254.1.1 dev eth0'],
};
const fabric1: LinkSpec = {
  a: { container: 'node-1', ifname: 'eth0' },
  b: { container: 'tor', ifname: 'f-node-1' },
};
const fabric2: LinkSpec = {
  a: { container: 'node-2', ifname: 'eth0' },
  b: { container: 'tor', ifname: 'f-node-2' },
};
const pod: LinkSpec = {
  a: { container: 'node-1', ifname: 'cali1', mac: 'EE:EE:EE:EE:EE:EE' },
  b: { container: 'web-1', ifname: 'eth0' },
};

const ofKind = <K extends WiringStep['kind']>(steps: WiringStep[], kind: K) =>
  steps.filter((s): s is Extract<WiringStep, { kind: K }> => s.kind === kind);

describe('wiring steps', () => {
  it('checks first that every PID a later step enters is still its container’s, and only those', () => {
    const idle = { name: 'idle', pid: 400, id: cid('idle'), bridges: [], interfaces: [] };
    const steps = wiringSteps(
      [tor, { ...node1, fresh: true }, node2, idle],
      [{ link: fabric1, verify: false }],
    );
    expect(steps[0]).toEqual({
      kind: 'check-pids',
      owners: [
        { container: 'tor', pid: 100, id: cid('tor') },
        { container: 'node-1', pid: 200, id: cid('node-1') },
        { container: 'node-2', pid: 250, id: cid('node-2') },
      ],
    });
    expect(ofKind(steps, 'check-pids')).toHaveLength(1);
  });

  it('orders a lab’s work: stale ends, new pairs, checks of kept pairs, procfs, setup, carrier, BGP', () => {
    const steps = wiringSteps(
      [tor, { ...node1, fresh: true }, node2, { ...web, fresh: true }],
      [
        { link: fabric1, verify: false, stale: ['b'] },
        { link: pod, verify: false },
        { link: fabric2, verify: true },
      ],
    );
    expect(steps.map((s) => s.kind)).toEqual([
      'check-pids',
      'delete-stale-ends',
      'create-veths',
      'list-interfaces',
      'list-interfaces',
      'check-veth',
      'mount-proc',
      'configure',
      'await-carrier',
      'enable-bgp',
    ]);
    expect(ofKind(steps, 'delete-stale-ends')[0]!.ends).toEqual([
      { container: 'tor', pid: 100, ifname: 'f-node-1' },
    ]);
    expect(ofKind(steps, 'list-interfaces').map((s) => [s.container, s.pid])).toEqual([
      ['node-2', 250],
      ['tor', 100],
    ]);
    expect(ofKind(steps, 'mount-proc')[0]!.path).toBe(HELPER_PROC);
    expect(ofKind(steps, 'enable-bgp')[0]!.birds).toEqual([
      { container: 'node-1', pid: 200, config: 'router id 172.30.0.11;\n' },
    ]);
    expect(ofKind(steps, 'await-carrier')[0]!.containers).toContainEqual({
      container: 'tor',
      pid: 100,
      ifnames: ['br0', 'f-node-1', 'f-node-2'],
    });
  });

  it('gives the ends of a pair between two new containers indexes of their own, normalised MACs', () => {
    const [create] = ofKind(
      wiringSteps(
        [tor, { ...node1, fresh: true }, { ...web, fresh: true }],
        [
          { link: fabric1, verify: false },
          { link: pod, verify: false },
        ],
      ),
      'create-veths',
    );
    expect(create!.veths).toEqual([
      {
        a: { container: 'node-1', pid: 200, ifname: 'eth0', mac: stableMac('node-1', 'eth0') },
        b: { container: 'tor', pid: 100, ifname: 'f-node-1', mac: stableMac('tor', 'f-node-1') },
      },
      {
        a: { container: 'node-1', pid: 200, ifname: 'cali1', mac: 'ee:ee:ee:ee:ee:ee', index: 4 },
        b: {
          container: 'web-1',
          pid: 300,
          ifname: 'eth0',
          mac: stableMac('web-1', 'eth0'),
          index: 5,
        },
      },
    ]);
  });

  it('sets a container up in batch order: bridge, its MAC and state, ports, addresses, routes last', () => {
    const setups = (c: StepContainer) =>
      ofKind(wiringSteps([c], []), 'configure')[0]!.containers[0]!;
    const fresh = setups({ ...tor, fresh: true });
    expect(fresh.ensureBridges).toEqual([]);
    expect(fresh.ops.slice(0, 4)).toEqual([
      { op: 'bridge-add', name: 'br0' },
      { op: 'link-mac', dev: 'br0', mac: stableMac('tor', 'br0') },
      { op: 'link-up', dev: 'br0' },
      { op: 'addr', dev: 'br0', cidr: '172.30.0.1/24' },
    ]);
    expect(fresh.ops).toContainEqual({ op: 'link-master', dev: 'f-node-1', master: 'br0' });
    // A reused container's bridge is looked up first, not added in the batch.
    const reused = setups(tor);
    expect(reused.ensureBridges).toEqual(['br0']);
    expect(reused.ops).not.toContainEqual({ op: 'bridge-add', name: 'br0' });
    expect(setups(web).ops.at(-1)).toEqual({
      op: 'route',
      line: 'route replace default via 169.254.1.1 dev eth0',
    });
    expect(setups(node1).sysctls).toEqual([
      { path: 'net/ipv4/conf/cali1/proxy_arp', value: '1' },
      { path: 'net/ipv4/neigh/cali1/proxy_delay', value: '0' },
    ]);
  });

  it('has nothing to do for containers without interfaces or routes, and no procfs without sysctls', () => {
    expect(
      wiringSteps([{ name: 'x', pid: 1, id: cid('x'), bridges: [], interfaces: [] }], []),
    ).toEqual([]);
    const kinds = wiringSteps([web], []).map((s) => s.kind);
    expect(kinds).toEqual(['check-pids', 'configure', 'await-carrier']);
  });

  it('refuses what could not be rendered safely, before anything is rendered', () => {
    expect(() => wiringSteps([{ ...web, pid: 0 }], [])).toThrow(/no PID/);
    expect(() => wiringSteps([{ ...web, id: '' }], [])).toThrow(/not an engine container ID/);
    expect(() => wiringSteps([{ ...web, id: `${cid('x').slice(1)}'` }], [])).toThrow(
      /not an engine container ID/,
    );
    expect(() => wiringSteps([web], [{ link: fabric1, verify: false }])).toThrow(
      /no such container/,
    );
    expect(() =>
      wiringSteps([{ ...web, interfaces: [{ ifname: 'eth0', addresses: ['x/24; reboot'] }] }], []),
    ).toThrow(/CIDR/);
    expect(() => wiringSteps([{ ...tor, bridges: [{ name: 'br0 up' }] }], [])).toThrow(
      /interface name/,
    );
  });
});

describe('wiring renderer', () => {
  it('refuses steps out of order: a check before its listing, sysctls before the procfs', () => {
    const steps = wiringSteps([tor, node2], [{ link: fabric2, verify: true }]);
    expect(() => renderWiring(steps.filter((s) => s.kind !== 'list-interfaces'))).toThrow(
      /no listing/,
    );
    const withProc = wiringSteps([node1], []);
    expect(() => renderWiring(withProc.filter((s) => s.kind !== 'mount-proc'))).toThrow(
      /no procfs/,
    );
  });

  it('renders each step under its own name for errors, and ends with the ok line', () => {
    const s = renderWiring(wiringSteps([web], []));
    expect(s.startsWith('# ')).toBe(true);
    expect(s).toContain("step='configuring the containers'");
    expect(s).toContain("step='waiting until the links carry traffic'");
    expect(s.trimEnd().split('\n').slice(-2)).toEqual(['step=done', 'echo "egress-lab wiring ok"']);
    expect(renderWiring([])).toMatch(/^set -eu$/m);
  });
});
