// The seeds' outgoing-NAT scenarios on a real engine, asserted on what tcpdump prints
// on the destination. One lab is converged from scenario to scenario with `up`, which
// also exercises reuse (same containers, new rules and BIRD config) and growth (a new
// host wired to a running router).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { ADDR, podAddress, scenarioPlan } from './fixtures/scenario-lab.js';
import { labRuntime, pingObserved, replyDestinations, requestSources } from './helpers.js';

const LAB = 'elt-scen';
let rt: LabRuntime;

beforeAll(async () => {
  ({ runtime: rt } = await labRuntime());
  await rt.down(LAB);
});

afterAll(async () => {
  await rt?.down(LAB);
});

describe('outgoing NAT scenarios (seeds: workloads-outside-cluster)', () => {
  it('(a) natOutgoing true: the internet host sees the node address and replies return', async () => {
    const plan = scenarioPlan({ name: LAB, natOutgoing: true });
    const state = await rt.up(plan);
    expect(state.actions.created.sort()).toEqual([
      'internet',
      'node-1',
      'node-2',
      'tor',
      'web-1',
      'web-2',
    ]);
    const o = await pingObserved(rt, LAB, 'web-1', ADDR.internet, ['internet']);
    const sources = requestSources(o.at.internet!, ADDR.internet);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    expect(new Set(sources)).toEqual(new Set([ADDR.node1]));
    expect(replyDestinations(o.at.internet!, ADDR.internet)).toContain(ADDR.node1);
    expect(o.received).toBe(o.transmitted);
  });

  it('(b) natOutgoing false, no BGP to the router: the host sees the pod address, no reply returns', async () => {
    const plan = scenarioPlan({ name: LAB, natOutgoing: false });
    const state = await rt.up(plan);
    expect(state.actions.reused.length).toBe(6); // same containers, new rules
    const pod = podAddress(plan, 'web-1');
    const o = await pingObserved(rt, LAB, 'web-1', ADDR.internet, ['internet', 'web-1']);
    expect(new Set(requestSources(o.at.internet!, ADDR.internet))).toEqual(new Set([pod]));
    // The host answers the pod address, but the router has no route back to it.
    expect(o.received).toBe(0);
    expect(o.at['web-1']!.filter((l) => l.includes('echo reply'))).toEqual([]);
  });

  it('(c) natOutgoing false with a BGPPeer to the router: the host sees the pod address, replies return', async () => {
    const plan = scenarioPlan({ name: LAB, natOutgoing: false, bgpToRouter: true });
    const state = await rt.up(plan);
    const tor = state.containers.find((c) => c.name === 'tor');
    expect(tor?.bgp?.map((s) => s.state)).toEqual(['Established', 'Established']);
    const pod = podAddress(plan, 'web-1');
    const o = await pingObserved(rt, LAB, 'web-1', ADDR.internet, ['internet']);
    expect(new Set(requestSources(o.at.internet!, ADDR.internet))).toEqual(new Set([pod]));
    expect(replyDestinations(o.at.internet!, ADDR.internet)).toContain(pod);
    expect(o.received).toBe(o.transmitted);
  });

  it('(d) disabled pool no-nat-10.0.0.0-8: the corp host sees the pod address, the internet host the node address', async () => {
    const plan = scenarioPlan({ name: LAB, natOutgoing: true, corp: true });
    const state = await rt.up(plan);
    expect(state.actions.created).toEqual(['corp']); // the router keeps running; only the new link is made
    const pod = podAddress(plan, 'web-2');
    const corp = await pingObserved(rt, LAB, 'web-2', ADDR.corp, ['corp']);
    expect(new Set(requestSources(corp.at.corp!, ADDR.corp))).toEqual(new Set([pod]));
    const internet = await pingObserved(rt, LAB, 'web-2', ADDR.internet, ['internet']);
    expect(new Set(requestSources(internet.at.internet!, ADDR.internet))).toEqual(
      new Set([ADDR.node2]),
    );
    expect(internet.received).toBe(internet.transmitted);
  });
});
