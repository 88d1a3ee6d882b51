// IPIP on a real engine. This project's build machines have no ipip module: there `up` must
// refuse before creating anything, naming the module and the kernel; the on-the-wire part
// runs where the module exists and says loudly when it is skipped.
import { readFileSync } from 'node:fs';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../src/core/plan/types.js';
import { LABEL_LAB } from '../../src/runtime/lab/labels.js';
import type { LabRuntime } from '../../src/runtime/lab/lab-runtime.js';
import { MissingKernelModuleError } from '../../src/runtime/lab/kernel-modules.js';
import { labRuntime, pingObserved, requestSources } from './helpers.js';

const LAB = 'enc-ipip-t';
let rt: LabRuntime;
let docker: Dockerode;
let plan: LabPlan;
let refusal: unknown;

beforeAll(async () => {
  ({ runtime: rt, docker } = await labRuntime());
  const text = readFileSync('lab-templates/ipip-pod-to-host.yaml', 'utf8').replace(
    'name: ipip-pod-to-host',
    `name: ${LAB}`,
  );
  plan = planLab(loadLab([{ file: 'ipip-pod-to-host.yaml', text }]));
  await rt.down(LAB);
  try {
    await rt.up(plan);
  } catch (e) {
    refusal = e;
  }
}, 180_000);

afterAll(async () => {
  await rt?.down(LAB);
});

const containers = () =>
  docker.listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${LAB}`] } });

describe('IPIP', () => {
  it('up either runs the lab or refuses without the ipip module, having created nothing', async () => {
    if (refusal === undefined) return; // the module exists: the next test proves the wire
    expect(refusal).toBeInstanceOf(MissingKernelModuleError);
    const msg = (refusal as Error).message;
    expect(msg).toContain('needs the kernel module ipip');
    expect(msg).toMatch(/the engine's kernel \S+ does not have/);
    expect(msg).toContain('`validate`, `rules` and `explain` still work');
    expect(await containers()).toEqual([]);
    console.warn(
      `SKIPPED IPIP on the wire: this engine's kernel has no ipip module (${msg.match(/engine's kernel (\S+)/)?.[1] ?? '?'}); run test/lab/encap-ipip.test.ts where it has one`,
    );
  });

  it("a node's traffic to a remote pod leaves from its tunl0 address; pods reach each other", async () => {
    if (refusal !== undefined) return; // said above, loudly
    const web2 = plan.ipam.assignments.find((a) => a.pod === 'web-2')!.address;
    const tunnel = plan.ipam.tunnels!.find((t) => t.node === 'node-1' && t.kind === 'ipip')!;
    const o = await pingObserved(rt, LAB, 'node-1', web2, ['web-2']);
    expect(o.received).toBe(3);
    expect(requestSources(o.at['web-2']!, web2)).toEqual(Array(3).fill(tunnel.address));
    const p = await pingObserved(rt, LAB, 'web-1', web2, ['web-2']);
    expect(p.received).toBe(3);
  });
});
