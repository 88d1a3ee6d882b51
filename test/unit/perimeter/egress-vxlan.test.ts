// Calico Enterprise's egress.calico in the plan: the device on the client's and the gateway's
// nodes (VNI 4097, UDP 4790, the node's VTEP MAC, no address), the ARP and FDB entries that send
// the gateway's address to its node, the client's table routing via the gateway onlink over it,
// and the lines render-encap.ts gives apply.sh. A gateway on the client's own node needs none.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEncap } from '../../../src/core/dataplane/render-encap.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { vtepMac } from '../../../src/core/plan/encap.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const TEMPLATE = 'lab-templates/egress-gateway-enterprise.yaml';
const planOf = (edit: (t: string) => string = (t) => t) =>
  planLab(loadLab([{ file: TEMPLATE, text: edit(readFileSync(TEMPLATE, 'utf8')) }]));

describe('egress.calico in the plan', () => {
  const plan = planOf();
  const node = (n: string) => plan.containers.find((c) => c.name === n)!;
  const addr = (p: string) => plan.ipam.assignments.find((a) => a.pod === p)!.address;
  const nodeAddr = (n: string) => plan.lab.nodes.find((x) => x.name === n)!.address;

  it("the client's node: the device, and the gateway's address resolved to node-2's VTEP", () => {
    const e = node('node-1').dataplane!.encap!.egress!;
    expect(e.device).toEqual({
      name: 'egress.calico',
      vni: 4097,
      port: 4790,
      mtu: 1450,
      mac: vtepMac('node-1'),
      parent: 'eth0',
      local: nodeAddr('node-1'),
    });
    expect(e.gateways).toEqual([
      {
        gateway: 'egress-red',
        node: 'node-2',
        address: addr('egress-red'),
        mac: vtepMac('node-2'),
        dst: nodeAddr('node-2'),
      },
    ]);
    // Table 200's default goes in with the device; the node's routes keep only the throws.
    expect(e.routes).toEqual([{ table: 200, via: addr('egress-red') }]);
    expect(node('node-1').egress!.tables[0]).toMatchObject({
      via: addr('egress-red'),
      dev: 'egress.calico',
    });
    expect(
      node('node-1')
        .routes.filter((r) => r.table === 200)
        .map((r) => r.type),
    ).toEqual(['throw', 'throw', 'throw']);
  });

  it("the gateway's node has the device to receive on, with no entries; its table uses the veth", () => {
    const n2 = node('node-2');
    expect(n2.dataplane!.encap!.egress).toMatchObject({
      device: { mac: vtepMac('node-2'), local: nodeAddr('node-2'), vni: 4097, port: 4790 },
      gateways: [],
      routes: [],
    });
    const gwIf = plan.ipam.assignments.find((a) => a.pod === 'egress-red')!.hostIfname;
    expect(n2.egress!.tables[0]).toMatchObject({ via: addr('egress-red'), dev: gwIf });
    // No pool encapsulates in this template: the nodes get no other tunnel, the pods no MTU.
    expect(n2.dataplane!.encap!.vxlan).toBeUndefined();
  });

  it("apply.sh's input: the device line, link up without address, ARP and FDB entries", () => {
    const r = renderEncap(node('node-1').dataplane!.encap!);
    expect(r.names).toBe('egress.calico\n');
    expect(r.devices).toBe(
      `link add name egress.calico index 65538 address ${vtepMac('node-1')} mtu 1450 type vxlan id 4097 local ${nodeAddr('node-1')} dstport 4790 nolearning\n`,
    );
    expect(r.ipBatch).toBe(
      `link set dev egress.calico mtu 1450 up\nneigh replace ${addr('egress-red')} lladdr ${vtepMac('node-2')} dev egress.calico nud permanent\nroute replace default via ${addr('egress-red')} dev egress.calico onlink table 200\n`,
    );
    expect(r.fdbBatch).toBe(
      `fdb replace ${vtepMac('node-2')} dev egress.calico dst ${nodeAddr('node-2')} self permanent\n`,
    );
  });

  it('a gateway on the client’s own node: no egress.calico anywhere', () => {
    const p = planOf((t) => t.replace('node: node-2, ipPool', 'node: node-1, ipPool'));
    // node-1 must be able to host the gateway's pool.
    expect(p.ipam.assignments.find((a) => a.pod === 'egress-red')?.node).toBe('node-1');
    for (const c of p.containers) expect(c.dataplane?.encap?.egress).toBeUndefined();
  });

  it('with a VXLAN pool too, egress.calico sits next to vxlan.calico, each with its own VNI and port', () => {
    const p = planOf((t) =>
      t.replace('  natOutgoing: true\n', '  natOutgoing: true\n  vxlanMode: Always\n'),
    );
    const e = p.containers.find((c) => c.name === 'node-1')!.dataplane!.encap!;
    expect([e.vxlan?.vni, e.vxlan?.port, e.egress?.device.vni, e.egress?.device.port]).toEqual([
      4096, 4789, 4097, 4790,
    ]);
    expect(renderEncap(e).names).toBe('vxlan.calico\negress.calico\n');
  });
});
