// The perimeter firewall's Inbound rules on a real engine: the template passes `check` (real
// pings and TCP connections from the hosts; each denied inbound flow is captured arriving on the
// router's port towards its host and never reaches the pod or the Service's endpoint), the
// router's kernel holds the inbound chain as planned and hooked for packets routed onto the
// fabric, and its counters count the drops. Addresses come from the plan, never written here.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firewallHooks, firewallRuleLines } from '../../src/core/dataplane/render-perimeter.js';
import { explain } from '../../src/core/explain/explain.js';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { LabService } from '../../src/service/lab-service.js';

const FILE = 'lab-templates/perimeter-firewall-per-namespace-pools.yaml';
const name = `pm-in-${randomBytes(3).toString('hex')}`;
let service: LabService;

beforeAll(() => {
  service = new LabService();
});

afterAll(async () => {
  await (await service.runtime()).down(name).catch(() => undefined);
  await service.close();
});

async function run(container: string, argv: string[]): Promise<string> {
  const r = await (await service.runtime()).exec(name, container, argv);
  expect(r.exitCode, `${container}: ${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

async function counter(chain: string, comment: string): Promise<number> {
  const { counters } = await service.live.rules(name, 'tor');
  const c = counters.find((x) => x.chain === chain && x.rule.includes(`"${comment}"`));
  expect(c, `no counter for ${comment} in ${JSON.stringify(counters)}`).toBeDefined();
  return c!.packets;
}

describe('perimeter firewall, inbound, on the wire', () => {
  it('lets the hosts in only where a rule says so; check proves each drop at the router', async () => {
    const text = readFileSync(FILE, 'utf8');
    const report = await service.live.check([{ file: FILE, text }], { name });
    expect(
      report.entries
        .filter((e) => !e.ok)
        .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
        .join('\n'),
    ).toBe('');
    const plan = planLab(loadLab([{ file: FILE, text }]));
    const fw = plan.containers.find((c) => c.role === 'router')!.firewall!;
    const inbound = fw.inbound!;

    // Each denied inbound entry: probes arrived on the router's port towards the host, and
    // nothing reached the destination (check's mismatches would say otherwise).
    const denied = report.entries.filter(
      (e) =>
        e.expectation.allowed === false &&
        plan.lab.hosts.some((h) => h.name === e.expectation.from),
    );
    expect(denied.map((e) => `${e.expectation.from}->${e.expectation.to}`)).toEqual([
      'internet->service/shop',
      'internet->shop-1',
      'db->shop-1',
    ]);
    for (const e of denied) {
      expect(e.droppedAt?.node).toBe('tor');
      expect(e.droppedAt?.packets).toBeGreaterThan(0);
      expect(e.seenSources).toEqual([]);
      expect(e.replies.received).toBe(0);
    }

    // The router's kernel holds both chains as planned, each hooked once.
    const chainOf = async (c: string) =>
      (await run('tor', ['iptables', '-S', c])).trim().split('\n').slice(1);
    expect([...(await chainOf(fw.chain)), ...(await chainOf(inbound.chain))]).toEqual(
      firewallRuleLines(fw),
    );
    const hooks = (await run('tor', ['iptables', '-S', 'FORWARD']))
      .split('\n')
      .filter((l) => l.includes(fw.chain));
    expect(hooks).toEqual(firewallHooks(fw));

    // Explain names the inbound default for internet -> shop-1; its counter counts new pings.
    const e = explain(plan, 'internet', 'shop-1');
    expect(e.firewall?.verdict).toBe('deny');
    const before = await counter(inbound.chain, e.firewall!.rule);
    expect(before).toBeGreaterThan(0); // check's probes
    const ping = await (
      await service.runtime()
    ).exec(name, 'internet', ['ping', '-c', '2', '-W', '1', e.destination]);
    expect(ping.exitCode).not.toBe(0);
    expect(await counter(inbound.chain, e.firewall!.rule)).toBeGreaterThanOrEqual(before + 2);

    // The NodePort rule counted check's allowed connections; the cluster's own connections
    // out (and their replies through the inbound chain's first rule) still work.
    const open = explain(plan, 'internet', 'service/shop@node-1');
    expect(open.firewall?.verdict).toBe('allow');
    expect(await counter(inbound.chain, open.firewall!.rule)).toBeGreaterThan(0);
    expect(await counter(inbound.chain, 'replies of allowed flows')).toBeGreaterThan(0);
  }, 300_000);
});
