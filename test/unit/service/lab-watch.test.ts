import { describe, expect, it } from 'vitest';
import type { LabStatus } from '../../../src/service/api.js';
import { statusChanges, statusDigest } from '../../../src/service/lab-watch.js';

function status(node2: string, bgp: string): LabStatus {
  return {
    name: 'l',
    running: true,
    containers: [
      {
        name: 'node-1',
        role: 'node',
        state: 'running',
        addresses: [],
        bgp: [{ peer: 'Mesh_172_30_0_12', neighbor: '172.30.0.12', state: bgp }],
      },
      { name: 'node-2', role: 'node', state: node2 as 'running', addresses: [] },
    ],
    pools: [],
    pods: [],
    hosts: [],
    nodes: [],
    router: { name: 'tor', address: '' },
  };
}

describe('lab watch', () => {
  it('sees container and BGP state as the change, nothing else', () => {
    const a = status('running', 'Established');
    const moved = { ...a, pods: [{ name: 'x', node: 'node-1', address: '1.2.3.4', pool: 'p' }] };
    expect(statusDigest(a)).toBe(statusDigest(moved));
    expect(statusDigest(a)).not.toBe(statusDigest(status('exited', 'Established')));
    expect(statusDigest(a)).not.toBe(statusDigest(status('running', 'Active')));
  });

  it('describes what changed, one line per container or session', () => {
    expect(statusChanges(status('running', 'Established'), status('exited', 'Active'))).toEqual([
      'BGP node-1 ↔ 172.30.0.12: Active',
      'node-2 is exited',
    ]);
    expect(
      statusChanges(status('running', 'Established'), status('running', 'Established')),
    ).toEqual([]);
  });

  it('sees a pool or tunnel change made elsewhere (the record) and names it', () => {
    const pool = {
      name: 'p',
      cidr: '192.168.0.0/16',
      natOutgoing: true,
      disabled: false,
      disableBGPExport: false,
      blockSize: 26,
      nodeSelector: 'all()',
    };
    const a = { ...status('running', 'Established'), pools: [pool] };
    const patched = { ...a, pools: [{ ...pool, natOutgoing: false }] };
    const tunnel = {
      a: 'node-1',
      b: 'node-2',
      kind: 'vxlan' as const,
      device: 'vxlan.calico',
      vni: 4096,
      port: 4789,
      label: 'VXLAN VNI 4096 :4789',
    };
    const vxlan = {
      ...patched,
      tunnels: { racks: [], tunnels: [tunnel], wireguard: [] },
    };
    expect(statusDigest(patched)).not.toBe(statusDigest(a));
    expect(statusChanges(a, patched)).toEqual(['pool p changed']);
    expect(statusDigest(vxlan)).not.toBe(statusDigest(patched));
    expect(statusChanges(patched, vxlan)).toEqual(['tunnels: VXLAN VNI 4096 :4789']);
    expect(statusChanges(a, { ...a, pools: [] })).toEqual(['pool p deleted']);
  });
});
