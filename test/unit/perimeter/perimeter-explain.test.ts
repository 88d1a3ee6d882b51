// explain with a perimeter firewall and an egress gateway: which source the firewall sees
// (the pod's, or the node's after natOutgoing, or the gateway's), which rule decides, and the
// gateway's address as the seen source. Addresses come from the plan.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { checkExpectations } from '../../../src/core/explain/expectations.js';
import { flowAllowed } from '../../../src/core/explain/explain-perimeter.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { egressClients } from '../../../src/core/plan/perimeter.js';

function planOf(file: string, edit: (t: string) => string = (t) => t) {
  const path = `lab-templates/${file}`;
  return planLab(loadLab([{ file: path, text: edit(readFileSync(path, 'utf8')) }]));
}
const addr = (plan: ReturnType<typeof planOf>, pod: string) =>
  plan.ipam.assignments.find((a) => a.pod === pod)!.address;

describe('explain: perimeter firewall', () => {
  const plan = planOf('perimeter-firewall-per-namespace-pools.yaml');

  it('sees routed pools as themselves and decides by rule', () => {
    const billing = explain(plan, 'billing-1', 'db', { protocol: 'tcp', port: 5432 });
    expect(billing.firewall).toMatchObject({
      on: 'tor',
      saw: addr(plan, 'billing-1'),
      verdict: 'allow',
      index: 1,
    });
    expect(billing.reply).toBe(true);
    const shop = explain(plan, 'shop-1', 'db', { protocol: 'tcp', port: 5432 });
    expect(shop.firewall).toMatchObject({
      saw: addr(plan, 'shop-1'),
      verdict: 'deny',
      rule: 'rule 2: nobody else',
    });
    expect(shop.forward?.ok).toBe(false);
    expect(shop.reply).toBe(false);
    expect(flowAllowed(shop)).toBe(false);
  });

  it('sees only the node for a natOutgoing pool', () => {
    const legacy = explain(plan, 'legacy-1', 'db', { protocol: 'tcp', port: 5432 });
    expect(legacy.firewall?.saw).toBe(legacy.nodeAddress);
    expect(legacy.steps.join('\n')).toContain(
      `sees source ${legacy.nodeAddress} (node-1's address, after its SNAT)`,
    );
  });

  it('once billing-pool NATs, billing-1 is the node to the firewall and is dropped', () => {
    const nat = planOf('perimeter-firewall-per-namespace-pools.yaml', (t) =>
      t.replace(
        /(name: billing-pool\nspec:\n {2}cidr: 10.50.0.0\/24\n {2}natOutgoing: )false/,
        '$1true',
      ),
    );
    const billing = explain(nat, 'billing-1', 'db', { protocol: 'tcp', port: 5432 });
    expect(billing.firewall).toMatchObject({ saw: billing.nodeAddress, verdict: 'deny' });
  });

  it('does not judge traffic that stays on the fabric', () => {
    expect(explain(plan, 'shop-1', 'billing-1').firewall).toBeUndefined();
  });

  it('every expect entry of the template matches explain', () => {
    expect(checkExpectations(plan).flatMap((r) => r.mismatches)).toEqual([]);
  });
});

describe('explain: Calico Enterprise egress gateway', () => {
  const plan = planOf('egress-gateway-enterprise.yaml');
  const [client] = egressClients(plan.lab, plan.ipam);

  it('the namespace annotation makes payments-1 a client of egress-red, seen as its address', () => {
    expect(client).toMatchObject({
      gateway: { name: 'egress-red' },
      selectedBy: { on: 'namespace' },
    });
    const e = explain(plan, 'payments-1', 'internet');
    expect(e.seenSource).toBe(addr(plan, 'egress-red'));
    expect(e.egressGateway).toMatchObject({ name: 'egress-red', enterprise: true });
    expect(e.nat).toEqual({ action: 'none' });
    expect(e.reply).toBe(true);
    expect(e.warnings.join('\n')).toContain('Calico Enterprise behaviour');
  });

  it('other namespaces keep the node; in-cluster destinations skip the gateway', () => {
    expect(explain(plan, 'shop-1', 'internet').seenAs).toBe('node');
    const inCluster = explain(plan, 'payments-1', 'shop-1');
    expect(inCluster.egressGateway).toBeUndefined();
    expect(inCluster.seenSource).toBe(addr(plan, 'payments-1'));
  });

  it('the nodes route the client to the gateway; the gateway SNATs', () => {
    const n1 = plan.containers.find((c) => c.name === 'node-1')!;
    const n2 = plan.containers.find((c) => c.name === 'node-2')!;
    const gw = plan.containers.find((c) => c.name === 'egress-red')!;
    const gwIf = plan.ipam.assignments.find((a) => a.pod === 'egress-red')!.hostIfname;
    expect(n1.egress!.rules).toEqual([
      { from: addr(plan, 'payments-1'), table: 200, priority: 105 },
    ]);
    expect(n1.egress!.tables[0]).toMatchObject({
      via: addr(plan, 'egress-red'),
      dev: 'egress.calico',
    });
    // egress.calico on both nodes; node-1 resolves the gateway to node-2's VTEP.
    expect(n1.dataplane!.encap!.egress!.gateways).toEqual([
      expect.objectContaining({ address: addr(plan, 'egress-red'), dst: n2.dataplane!.address }),
    ]);
    expect(n2.dataplane!.encap!.egress!.gateways).toEqual([]);
    expect(n2.egress!.tables[0]).toMatchObject({ via: addr(plan, 'egress-red'), dev: gwIf });
    expect(gw.egress!.snatTo).toBe(addr(plan, 'egress-red'));
    expect(gw.sysctls['net.ipv4.ip_forward']).toBe('1');
  });

  it('the firewall allows the gateway address and drops the node address', () => {
    expect(
      explain(plan, 'payments-1', 'partner', { protocol: 'tcp', port: 443 }).firewall?.verdict,
    ).toBe('allow');
    expect(
      explain(plan, 'shop-1', 'partner', { protocol: 'tcp', port: 443 }).firewall?.verdict,
    ).toBe('deny');
    expect(checkExpectations(plan).flatMap((r) => r.mismatches)).toEqual([]);
  });
});
