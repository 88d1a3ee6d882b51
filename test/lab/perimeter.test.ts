// The perimeter firewall and the Calico Enterprise egress gateway on a real engine: both
// templates pass `check` (real probes; a dropped flow is captured where the firewall drops it
// and never reaches its destination), the firewall's chain is in the router's kernel with
// counters that count the drops, and the egress gateway's ip rules and SNAT are in the nodes'
// and the gateway pod's kernels. Addresses come from the plan, never written here.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../src/core/explain/explain.js';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { egressClients } from '../../src/core/plan/perimeter.js';
import type { LabPlan } from '../../src/core/plan/types.js';
import { LabService } from '../../src/service/lab-service.js';

const FW = 'lab-templates/perimeter-firewall-per-namespace-pools.yaml';
const EGW = 'lab-templates/egress-gateway-enterprise.yaml';
const tag = randomBytes(3).toString('hex');
const names: string[] = [];
let service: LabService;

beforeAll(() => {
  service = new LabService();
});

afterAll(async () => {
  const rt = await service.runtime();
  for (const n of names) await rt.down(n).catch(() => undefined);
  await service.close();
});

async function checkTemplate(file: string, name: string): Promise<LabPlan> {
  names.push(name);
  const text = readFileSync(file, 'utf8');
  const report = await service.live.check([{ file, text }], { name });
  expect(
    report.entries
      .filter((e) => !e.ok)
      .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
      .join('\n'),
  ).toBe('');
  return planLab(loadLab([{ file, text }]));
}

async function run(lab: string, container: string, argv: string[]): Promise<string> {
  const r = await (await service.runtime()).exec(lab, container, argv);
  expect(r.exitCode, `${container}: ${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** "comment -> target" of each rule line, as the kernel or the plan has them. */
function ruleKeys(lines: string[]): string[] {
  return lines
    .filter((l) => l.startsWith('-A '))
    .map((l) => `${/--comment "?([^"]*)"?/.exec(l)?.[1]} -> ${/-j (\S+)/.exec(l)?.[1]}`);
}

describe('perimeter firewall and egress gateway on the wire', () => {
  it('a firewall in the router tells routed namespace pools apart, and sees only the node for NATed pods', async () => {
    const name = `per-fw-${tag}`;
    const plan = await checkTemplate(FW, name);
    const router = plan.containers.find((c) => c.role === 'router')!;
    const fw = router.firewall!;

    // The chain in the router's kernel is the plan's, and it is hooked into FORWARD.
    const chain = (await run(name, router.name, ['iptables', '-S', fw.chain])).split('\n');
    expect(ruleKeys(chain)).toEqual([
      'replies of allowed flows -> ACCEPT',
      ...fw.rules.map((r) => `${r.comment} -> ${r.verdict}`),
    ]);
    for (const r of fw.rules.filter((x) => x.source)) {
      expect(chain.some((l) => l.includes(`-s ${r.source}`) && l.includes(r.comment))).toBe(true);
    }
    const forward = await run(name, router.name, ['iptables', '-S', 'FORWARD']);
    expect(forward).toContain(`-A FORWARD -i br0 ! -o br0 -j ${fw.chain}`);

    // Explain agrees with what check saw: shop-1 is dropped by the rule for db, as its own address.
    const shop = explain(plan, 'shop-1', 'db', { protocol: 'tcp', port: 5432 });
    expect(shop.firewall?.verdict).toBe('deny');
    expect(shop.firewall?.saw).toBe(plan.ipam.assignments.find((a) => a.pod === 'shop-1')!.address);
    const legacy = explain(plan, 'legacy-1', 'db', { protocol: 'tcp', port: 5432 });
    expect(legacy.firewall?.saw).toBe(legacy.nodeAddress);

    // The counters: check's probes from shop-1 and legacy-1 to db hit the deny rule.
    const before = await dropCount(name, router.name, fw.chain, shop.firewall!.rule);
    expect(before).toBeGreaterThan(0);
    await (
      await service.runtime()
    ).exec(name, 'shop-1', ['sh', '-c', `echo x | nc -w 1 ${shop.destination} 5432; true`]);
    expect(await dropCount(name, router.name, fw.chain, shop.firewall!.rule)).toBeGreaterThan(
      before,
    );
  }, 240_000);

  it('an egress gateway gives one namespace its own fixed source address; the others leave as their node', async () => {
    const name = `per-egw-${tag}`;
    const plan = await checkTemplate(EGW, name);
    const clients = egressClients(plan.lab, plan.ipam);
    expect(clients.map((c) => c.pod.pod)).toEqual(['payments-1']);
    const client = clients[0]!;
    const shop = plan.ipam.assignments.find((a) => a.pod === 'shop-1')!;

    // The client's node routes it by ip rule to table 200; shop-1 has no rule.
    const rules = await run(name, client.pod.node, ['ip', 'rule', 'show']);
    expect(rules).toMatch(new RegExp(`from ${client.pod.address} lookup ${client.table}\\b`));
    expect(rules).not.toContain(`from ${shop.address} `);
    const table = await run(name, client.pod.node, [
      'ip',
      'route',
      'show',
      'table',
      String(client.table),
    ]);
    expect(table).toContain('default via');
    // The gateway pod SNATs what it forwards to its own address.
    const nat = await run(name, client.gateway.name, [
      'iptables',
      '-t',
      'nat',
      '-S',
      'egress-lab-egw',
    ]);
    expect(nat).toContain(`--to-source ${client.gatewayAddress}`);

    // What check saw agrees with explain: the gateway's address for payments-1, the node for shop-1.
    expect(explain(plan, 'payments-1', 'internet').seenSource).toBe(client.gatewayAddress);
    expect(explain(plan, 'shop-1', 'internet').seenAs).toBe('node');
  }, 240_000);
});

/** The packets counted by the firewall rule with this comment, read through the service (rules:get). */
async function dropCount(lab: string, router: string, chain: string, comment: string) {
  const { counters } = await service.live.rules(lab, router);
  const c = counters.find((x) => x.chain === chain && x.rule.includes(`"${comment}"`));
  expect(c, `no counter for ${comment} in ${JSON.stringify(counters)}`).toBeDefined();
  return c!.packets;
}
