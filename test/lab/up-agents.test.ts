// How `up` brings a new lab up on a real engine: through each new container's own main
// process (the boot agent on its attach stream) and the helper's, without a single exec;
// afterwards every container's main process is `sleep infinity` again. A second `up` of the
// running lab goes through execs (its containers are reused) and changes nothing.
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageTag } from '../../src/runtime/image/recipe.js';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { labUp } from '../../src/runtime/lab/up.js';
import { ADDR, scenarioPlan } from './fixtures/scenario-lab.js';
import { countingExecs, labRuntime, pingObserved, requestSources } from './helpers.js';

const LAB = 'elt-agents';
let rt: LabRuntime;
let docker: Dockerode;

beforeAll(async () => {
  ({ runtime: rt, docker } = await labRuntime());
  await rt.down(LAB);
});

afterAll(async () => {
  await rt?.down(LAB);
});

describe('up through the containers’ own agents', () => {
  it('brings a new lab up, BGP Established and traffic flowing, without one exec', async () => {
    const plan = scenarioPlan({ name: LAB, natOutgoing: true });
    const { docker: counted, execs } = countingExecs(docker);
    const state = await labUp(counted, imageTag(), plan, { name: LAB });
    expect(execs).toEqual([]);
    expect(state.actions.created.length).toBe(plan.containers.length);
    const bgp = state.containers.flatMap((c) => c.bgp ?? []);
    expect(bgp.length).toBeGreaterThan(0);
    expect(bgp.every((s) => s.state === 'Established')).toBe(true);
    // Addresses came through the agents' status read, as an exec would read them.
    for (const c of plan.containers) {
      const got = state.containers.find((x) => x.name === c.name)!;
      for (const want of c.interfaces.flatMap((i) => i.addresses))
        expect(got.addresses.map((a) => a.address)).toContain(want);
    }
    // The NAT rules went in with the early apply: the internet host sees the node's address.
    const seen = await pingObserved(rt, LAB, 'web-1', ADDR.internet, ['internet']);
    expect(seen.received).toBe(seen.transmitted);
    expect(requestSources(seen.at.internet ?? [], ADDR.internet)).toContain(ADDR.node1);
  });

  it('leaves each container’s main process asleep, no agent loop left running', async () => {
    const plan = scenarioPlan({ name: LAB, natOutgoing: true });
    for (const c of plan.containers) {
      const top = (await docker
        .getContainer(`${LAB}-${c.name}`)
        .top({ ps_args: '-o pid,args' })) as {
        Processes: string[][];
      };
      const args = top.Processes.map((p) => p[p.length - 1] ?? '');
      expect(args).toContain('sleep infinity');
      // No shell left: neither the boot script nor the agent loop (docker-init, PID 1, keeps
      // the short boot script in its own arguments).
      expect(args.filter((a) => a.startsWith('sh '))).toEqual([]);
    }
  });

  it('gives the two ends of every new veth different interface indexes', async () => {
    // Equal indexes (2 and 2: the first veth in each new namespace) make the kernel handle
    // a carrier change as not urgent, up to 1 s late: a lost first BGP SYN.
    const plan = scenarioPlan({ name: LAB, natOutgoing: true });
    let veths = 0;
    for (const c of plan.containers) {
      const r = await rt.exec(LAB, c.name, ['ip', '-j', 'link', 'show', 'type', 'veth']);
      const links = JSON.parse(r.stdout) as {
        ifname: string;
        ifindex: number;
        link_index: number;
      }[];
      for (const l of links) {
        veths++;
        expect(l.ifindex, `${c.name}/${l.ifname}`).not.toBe(l.link_index);
      }
    }
    expect(veths).toBe(plan.links.length * 2);
  });

  it('reuses the running lab on a second up: execs (its containers are not new), nothing re-created', async () => {
    const plan = scenarioPlan({ name: LAB, natOutgoing: true });
    const { docker: counted, execs } = countingExecs(docker);
    const state = await labUp(counted, imageTag(), plan, { name: LAB });
    expect(state.actions.created).toEqual([]);
    expect(state.actions.reused.length).toBe(plan.containers.length);
    expect(execs.length).toBeGreaterThan(0);
    expect(
      state.containers.flatMap((c) => c.bgp ?? []).every((s) => s.state === 'Established'),
    ).toBe(true);
  });
});
