// apply.sh's step 5' for real in a network namespace, on the input the runtime renders from the
// templates' plans: the router's firewall chain and its one FORWARD hook, a client node's egress
// ip rules, table and NAT exemption; re-applying changes nothing, and a plan without them
// removes every trace. Needs root with iproute2 and iptables (else skipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { firewallHooks, firewallRuleLines } from '../../../src/core/dataplane/render-perimeter.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { ContainerPlan } from '../../../src/core/plan/types.js';
import { applyInputFiles } from '../../../src/runtime/agent/apply-input.js';
import type { TarFile } from '../../../src/runtime/engine/tar.js';
import { runApply } from '../helpers/apply-netns.js';
import { netnsAvailable } from '../helpers/netns.js';

const NS = `egl-perim-${process.pid}`;
let root = '';

function inNs(cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8' });
}

function planOf(file: string) {
  const path = `lab-templates/${file}`;
  return planLab(loadLab([{ file: path, text: readFileSync(path, 'utf8') }]));
}

/** Only the perimeter part of a container (no BIRD, no Felix tables) plus its table routes. */
function perimeterOnly(c: ContainerPlan): ContainerPlan {
  return {
    name: c.name,
    role: c.role,
    sysctls: {},
    bridges: [],
    interfaces: [],
    routes: c.routes.filter((r) => r.table !== undefined),
    services: [],
    ...(c.firewall ? { firewall: c.firewall } : {}),
    ...(c.egress ? { egress: c.egress } : {}),
  };
}

function applyOk(c: ContainerPlan, extra: TarFile[] = []): void {
  const r = runApply(NS, root, [...applyInputFiles(c), ...extra]);
  expect(r, r.stderr).toMatchObject({ status: 0, stdout: 'applied\n' });
}

const bare = (c: ContainerPlan): ContainerPlan => ({ ...perimeterOnly(c), routes: [] });
const withoutPerimeter = (c: ContainerPlan): ContainerPlan => {
  const { firewall: _f, egress: _e, ...rest } = bare(c);
  return rest;
};

describe.skipIf(!netnsAvailable(NS))('apply.sh: perimeter firewall and egress gateway', () => {
  beforeEach(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    inNs(['ip', 'link', 'set', 'lo', 'up']);
    inNs(['ip', 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0']);
    inNs(['ip', 'addr', 'add', '172.30.0.11/24', 'dev', 'eth0']);
    inNs(['ip', 'link', 'set', 'eth0', 'up']);
    inNs(['ip', 'link', 'set', 'peer0', 'up']);
    root = mkdtempSync(join(tmpdir(), 'egl-perim-'));
  });
  afterEach(() => {
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(root, { recursive: true, force: true });
  });

  test('the router: the firewall chain as planned, hooked once, removed with the plan', () => {
    const router = planOf('perimeter-firewall-per-namespace-pools.yaml').containers.find(
      (c) => c.role === 'router',
    )!;
    const fw = router.firewall!;
    applyOk(perimeterOnly(router));
    applyOk(perimeterOnly(router));
    // Both chains (the template has Inbound rules), each as planned, each hooked once.
    const inbound = fw.inbound!;
    const chainOf = (name: string) => inNs(['iptables', '-S', name]).trim().split('\n').slice(1);
    expect([...chainOf(fw.chain), ...chainOf(inbound.chain)]).toEqual(firewallRuleLines(fw));
    const hooks = () =>
      inNs(['iptables', '-S', 'FORWARD'])
        .split('\n')
        .filter((l) => l.includes(fw.chain));
    expect(hooks()).toEqual([
      `-A FORWARD -i br0 ! -o br0 -j ${fw.chain}`,
      `-A FORWARD ! -i br0 -o br0 -j ${inbound.chain}`,
    ]);
    expect(hooks()).toEqual(firewallHooks(fw));

    // A plan without Inbound rules: the inbound chain and its hook go, the outbound chain stays.
    const { inbound: _in, ...outboundOnly } = fw;
    applyOk({ ...perimeterOnly(router), firewall: outboundOnly });
    expect(hooks()).toEqual([`-A FORWARD -i br0 ! -o br0 -j ${fw.chain}`]);
    expect(inNs(['iptables', '-S']).includes(inbound.chain)).toBe(false);

    applyOk(perimeterOnly(router));
    expect(hooks()).toHaveLength(2);
    applyOk(withoutPerimeter(router));
    expect(inNs(['iptables', '-S']).includes(fw.chain)).toBe(false);
  });

  test('a client node: ip rule, table and NAT exemption; removed with the plan', () => {
    const plan = planOf('egress-gateway-enterprise.yaml');
    const node = plan.containers.find((c) => c.name === 'node-1')!;
    const e = node.egress!;
    const client = e.rules[0]!;
    // The node's tunnels (egress.calico) as apply-input renders them: the table routes through it.
    const tunnels = applyInputFiles({ ...bare(node), dataplane: node.dataplane! }).filter((f) =>
      f.name.startsWith('encap.'),
    );
    applyOk(perimeterOnly(node), tunnels);
    applyOk(perimeterOnly(node), tunnels);
    const rules = inNs(['ip', 'rule', 'show'])
      .split('\n')
      .filter((l) => l.startsWith(`${client.priority}:`));
    expect(rules).toEqual([`${client.priority}:\tfrom ${client.from} lookup ${client.table}`]);
    const table = inNs(['ip', 'route', 'show', 'table', String(client.table)]);
    expect(table).toContain(`default via ${e.tables[0]!.via} dev egress.calico onlink`);
    // egress.calico: Enterprise's VNI and port, the gateway's address -> its node's VTEP MAC -> the node.
    const gw = node.dataplane!.encap!.egress!.gateways[0]!;
    expect(e.tables[0]!.via).toBe(gw.address);
    expect(inNs(['ip', '-d', 'link', 'show', 'egress.calico'])).toMatch(
      /vxlan id 4097 local 172\.30\.0\.11 .*dstport 4790 nolearning/,
    );
    expect(inNs(['ip', 'neigh', 'show', 'dev', 'egress.calico'])).toContain(
      `${gw.address} lladdr ${gw.mac} PERMANENT`,
    );
    expect(inNs(['bridge', 'fdb', 'show', 'dev', 'egress.calico'])).toContain(
      `${gw.mac} dst ${gw.dst} self permanent`,
    );
    for (const c of e.tables[0]!.throws) expect(table).toContain(`throw ${c}`);
    const nat = inNs(['iptables', '-t', 'nat', '-S']);
    expect(nat).toContain(`-A POSTROUTING -j egress-lab-egw`);
    expect(nat).toContain(`-A egress-lab-egw -s ${client.from}/32`);

    applyOk(withoutPerimeter(node));
    expect(inNs(['ip', 'rule', 'show'])).not.toContain(`lookup ${client.table}`);
    expect(inNs(['ip', 'route', 'show', 'table', String(client.table)]).trim()).toBe('');
    expect(inNs(['iptables', '-t', 'nat', '-S'])).not.toContain('egress-lab-egw');
  });
});
