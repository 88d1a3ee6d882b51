// Calico Enterprise's egress.calico on a real engine (template egress-gateway-enterprise): the
// template's expectations hold (payments-1 leaves as the gateway's address, shop-1 as its node,
// the firewall drops shop-1 to partner); between the client's node and the gateway's node the
// fabric carries UDP 4790 with VNI 4097 and the client pod's own packet inside, never the bare
// packet; the device, its ARP and FDB entries and the table's route are in node-1's kernel as
// planned; a plan without clients removes egress.calico from both nodes. Addresses come from
// the plan, never written here.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../src/core/plan/types.js';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { LabService } from '../../src/service/lab-service.js';
import { labRuntime, pingObserved, requestSources } from './helpers.js';

const FILE = 'lab-templates/egress-gateway-enterprise.yaml';
const LAB = `gw-egw-${randomBytes(3).toString('hex')}`;
const INTERNET = () => plan.lab.hosts.find((h) => h.name === 'internet')!.address;
let service: LabService;
let rt: LabRuntime;
let plan: LabPlan;

const text = readFileSync(FILE, 'utf8');
const podAddr = (p: string) => plan.ipam.assignments.find((a) => a.pod === p)!.address;
const nodeAddr = (n: string) => plan.lab.nodes.find((x) => x.name === n)!.address;

beforeAll(async () => {
  service = new LabService();
  ({ runtime: rt } = await labRuntime());
  plan = planLab(loadLab([{ file: FILE, text }]));
});

afterAll(async () => {
  await (await service.runtime()).down(LAB).catch(() => undefined);
  await service.close();
});

describe('egress gateway traffic over egress.calico', () => {
  it("the template's expectations hold (check: real probes)", async () => {
    const report = await service.live.check([{ file: FILE, text }], { name: LAB });
    expect(
      report.entries
        .filter((e) => !e.ok)
        .map((e) => `${e.expectation.from} -> ${e.expectation.to}: ${e.mismatches.join('; ')}`)
        .join('\n'),
    ).toBe('');
  }, 300_000);

  it("node-1's kernel holds egress.calico, its ARP and FDB entries and table 200 as planned", async () => {
    const sh = async (argv: string[]) => {
      const r = await rt.exec(LAB, 'node-1', argv);
      expect(r.exitCode, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const e = plan.containers.find((c) => c.name === 'node-1')!.dataplane!.encap!.egress!;
    const g = e.gateways[0]!;
    expect(await sh(['ip', '-d', 'link', 'show', 'egress.calico'])).toMatch(
      new RegExp(
        `vxlan id 4097 local ${nodeAddr('node-1').replace(/\./g, '\\.')} .*dstport 4790 nolearning`,
      ),
    );
    expect(await sh(['ip', 'neigh', 'show', 'dev', 'egress.calico'])).toContain(
      `${podAddr('egress-red')} lladdr ${g.mac} PERMANENT`,
    );
    expect(await sh(['bridge', 'fdb', 'show', 'dev', 'egress.calico'])).toContain(
      `${g.mac} dst ${nodeAddr('node-2')} self permanent`,
    );
    expect(await sh(['ip', 'route', 'show', 'table', '200'])).toContain(
      `default via ${podAddr('egress-red')} dev egress.calico onlink`,
    );
  });

  it('the fabric carries the client pod’s packet in VXLAN VNI 4097 to the gateway’s node, which SNATs it at the gateway', async () => {
    // On the gateway node's fabric link: every packet of the client that arrives there. tcpdump
    // names UDP 4790 VXLAN-GPE by its port and cannot read the frame inside, so the raw capture
    // is decoded afterwards with -T vxlan (tcpdump on the machine running the test).
    const dir = mkdtempSync(join(tmpdir(), 'gw-egw-'));
    const pcap = join(dir, 'node-2.pcap');
    const cap = rt.capture(LAB, 'node-2', {
      iface: 'eth0',
      filter: ['udp', 'port', '4790', 'or', 'icmp'],
      pcapFile: pcap,
    });
    await cap.ready;
    const o = await pingObserved(rt, LAB, 'payments-1', INTERNET(), ['internet']);
    await new Promise((r) => setTimeout(r, 200)); // the last packets reach tcpdump
    await cap.stop();
    const lines = execFileSync('tcpdump', ['-n', '-r', pcap, '-T', 'vxlan'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).split('\n');
    rmSync(dir, { recursive: true, force: true });
    expect(o.received).toBe(3);
    // The outside host sees the gateway's address.
    expect(requestSources(o.at.internet!, INTERNET())).toEqual(
      Array(3).fill(podAddr('egress-red')),
    );
    const outer = lines.filter(
      (l) =>
        l.includes(`IP ${nodeAddr('node-1')}.`) &&
        l.includes(`> ${nodeAddr('node-2')}.4790: VXLAN`),
    );
    expect(outer, lines.join('\n')).toHaveLength(3);
    expect(outer.every((l) => l.includes('vni 4097'))).toBe(true);
    // tcpdump prints the inner header on the line after each outer one.
    const inner = `IP ${podAddr('payments-1')} > ${INTERNET()}: ICMP echo request`;
    const innerAt = lines.flatMap((l, i) => (l.startsWith(inner) ? [i] : []));
    expect(innerAt, lines.join('\n')).toHaveLength(3);
    expect(innerAt.every((i) => lines[i - 1]!.includes('VXLAN'))).toBe(true);
    // The client's packet never crosses the fabric bare (the replies come back natively to node-1).
    expect(
      lines.filter((l) => /^\d/.test(l) && l.includes(`IP ${podAddr('payments-1')} >`)),
    ).toEqual([]);
  });

  it('a plan without clients removes egress.calico from both nodes', async () => {
    const noClients = planLab(
      loadLab([
        {
          file: FILE,
          // The namespace's selector now matches no gateway: payments-1 is no client.
          text: text.replace("egress-code == 'red'\" }", "egress-code == 'blue'\" }"),
        },
      ]),
    );
    expect(noClients.containers.some((c) => c.dataplane?.encap?.egress)).toBe(false);
    const nodes = noClients.containers.filter((c) => c.role === 'node');
    const out = await rt.applyDataplane(LAB, nodes);
    expect(out.every((x) => x.ok)).toBe(true);
    for (const n of ['node-1', 'node-2']) {
      const r = await rt.exec(LAB, n, ['ip', 'link', 'show', 'egress.calico']);
      expect(r.exitCode, n).not.toBe(0);
    }
  });
});
