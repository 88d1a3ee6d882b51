// A Layer 3 fabric, AS per rack, on the engine (template l3-fabric-two-racks): each rack's own
// top-of-rack router (BIRD) peers iBGP with its nodes and eBGP with the spine. Proves on the
// wire what the template promises: (1) every session Established (nodes-ToR, ToR-spine);
// (2) rack-b-tor learns app-b's block from node-b1 but its export filter keeps it from the
// spine, whose kernel has rack A's blocks only; (3) app-a's pings reach internet with its own
// address and get replies; app-b's reach internet with app-b's address, internet answers,
// and the replies die at the spine: none leaves on the spine's link to rack-b-tor;
// (4) natOutgoing on for pod-pool (the running lab, as a patch does): app-b is seen as
// node-b1 and gets its replies.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../src/core/plan/types.js';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { labRuntime, pingObserved, replyDestinations, requestSources } from './helpers.js';

const LAB = 'tor-fabric-t';
const TEXT = readFileSync('lab-templates/l3-fabric-two-racks.yaml', 'utf8').replace(
  'name: l3-fabric-two-racks',
  `name: ${LAB}`,
);
const INTERNET = '203.0.113.10';
let rt: LabRuntime;
let plan: LabPlan;

const load = (text: string, pinned?: LabPlan): LabPlan =>
  planLab(loadLab([{ file: 'lab.yaml', text }]), pinned ? { pinnedIpam: pinned.ipam } : {});
const pod = (p: LabPlan, name: string) => p.ipam.assignments.find((a) => a.pod === name)!;
const birdc = async (c: string, ...args: string[]) =>
  (await rt.exec(LAB, c, ['birdc', '-s', '/run/bird/bird.ctl', ...args])).stdout;

beforeAll(async () => {
  ({ runtime: rt } = await labRuntime());
  plan = load(TEXT);
  await rt.down(LAB);
  await rt.up(plan);
}, 240_000);

afterAll(async () => {
  await rt?.down(LAB);
});

describe('a Layer 3 fabric with a ToR per rack on the engine', () => {
  it('every node-ToR and ToR-spine session is Established', async () => {
    const spine = await birdc('spine', 'show', 'protocols');
    expect(spine).toMatch(/^Tor_169_254_100_1\s+BGP\s.*\sup\s.*Established/m);
    expect(spine).toMatch(/^Tor_169_254_100_3\s+BGP\s.*\sup\s.*Established/m);
    const torA = await birdc('rack-a-tor', 'show', 'protocols');
    expect(torA).toMatch(/^Node_172_30_1_11\s+BGP\s.*Established/m);
    expect(torA).toMatch(/^Node_172_30_1_12\s+BGP\s.*Established/m);
    expect(torA).toMatch(/^Spine\s+BGP\s.*Established/m);
    expect(await birdc('node-b1', 'show', 'protocols')).toMatch(
      /^Node_172_30_2_1\s+BGP\s.*Established/m,
    );
  });

  it("rack-b-tor learns app-b's block but keeps it from the spine; rack A's blocks reach it", async () => {
    const blockB = pod(plan, 'app-b').block;
    const blockA = pod(plan, 'app-a').block;
    expect(await birdc('rack-b-tor', 'show', 'route', 'for', blockB)).toContain(
      'via 172.30.2.11 on br0',
    );
    const spineRoutes = (await rt.exec(LAB, 'spine', ['ip', 'route', 'show'])).stdout;
    expect(spineRoutes).toContain(`${blockA} via 169.254.100.1 dev tor0 proto bird`);
    expect(spineRoutes).not.toContain(blockB);
    // node-a1 learned its rack-mate's block through the ToR, next hop kept.
    const a1 = (await rt.exec(LAB, 'node-a1', ['ip', 'route', 'show'])).stdout;
    expect(a1).toContain(`${pod(plan, 'app-a2').block} via 172.30.1.12 dev eth0 proto bird`);
  });

  it("app-a gets replies; app-b's requests arrive with its address and the replies die at the spine", async () => {
    const a = pod(plan, 'app-a').address;
    const okA = await pingObserved(rt, LAB, 'app-a', INTERNET, ['internet']);
    expect(requestSources(okA.at.internet!, INTERNET)).toContain(a);
    expect(okA.received).toBe(3);

    const b = pod(plan, 'app-b').address;
    // On the spine's link to rack-b-tor: app-b's requests pass, no reply comes back down.
    const up = rt.capture(LAB, 'spine', { iface: 'tor1', filter: ['icmp'] });
    const upLines: string[] = [];
    const reader = (async () => {
      for await (const l of up) upLines.push(l);
    })();
    await up.ready;
    const lostB = await pingObserved(rt, LAB, 'app-b', INTERNET, ['internet']);
    await up.stop();
    await reader;
    expect(requestSources(lostB.at.internet!, INTERNET)).toContain(b);
    expect(replyDestinations(lostB.at.internet!, INTERNET)).toContain(b); // internet answers
    expect(lostB.received).toBe(0);
    expect(requestSources(upLines, INTERNET)).toContain(b);
    expect(replyDestinations(upLines, INTERNET), upLines.join('\n')).toEqual([]);
    const get = await rt.exec(LAB, 'spine', ['ip', 'route', 'get', b]);
    expect(`${get.stdout}${get.stderr}`).toMatch(/unreachable/i);
  });

  it('natOutgoing on for pod-pool on the running lab: app-b is seen as node-b1 and gets replies', async () => {
    const next = load(
      TEXT.replace(
        'cidr: 10.48.0.0/16\n  natOutgoing: false',
        'cidr: 10.48.0.0/16\n  natOutgoing: true',
      ),
      plan,
    );
    const out = await rt.applyDataplane(
      LAB,
      next.containers.filter((c) => c.role === 'node'),
    );
    expect(out.every((o) => o.ok)).toBe(true);
    const seen = await pingObserved(rt, LAB, 'app-b', INTERNET, ['internet']);
    expect(requestSources(seen.at.internet!, INTERNET)).toContain('172.30.2.11');
    expect(seen.received).toBe(3);
  });
});
