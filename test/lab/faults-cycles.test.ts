// 20 up/down cycles of a tiny lab (router, one node, one pod, one host) leave nothing
// behind: no container or helper with the lab's label, no lab interface in the host's
// namespace, and the engine's container count back where it started for this lab.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { isHelper } from '../../src/runtime/lab/queries.js';
import { LABEL_LAB } from '../../src/runtime/lab/labels.js';
import type { LabSource } from '../../src/service/api.js';
import { LabService } from '../../src/service/lab-service.js';
import { labLeftovers } from './helpers.js';

const LAB = `fault-cycle-${randomBytes(2).toString('hex')}`;
const source: LabSource = {
  file: 'tiny.yaml',
  text: `apiVersion: egress-lab/v1
kind: Lab
metadata: { name: tiny }
spec:
  fabric: { cidr: 172.30.0.0/24 }
  router: { name: tor, address: 172.30.0.1, asNumber: 64500 }
  nodes: [{ name: node-1, address: 172.30.0.11 }]
  pods: [{ name: web-1, node: node-1 }]
  hosts: [{ name: internet, address: 203.0.113.10/24 }]
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: { name: default-ipv4-ippool }
spec: { cidr: 192.168.0.0/16, natOutgoing: true }
`,
};
const service = new LabService();

beforeAll(async () => {
  await service.setup();
  await service.down(LAB);
});

afterAll(async () => {
  await service.down(LAB).catch(() => undefined);
  await service.close();
});

describe('20 up/down cycles', () => {
  it('leave no container, helper or interface behind', { timeout: 600_000 }, async () => {
    const rt = await service.runtime();
    const plan = planLab(loadLab([source]));
    const mine = () =>
      rt.docker.listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${LAB}`] } });
    for (let i = 0; i < 20; i++) {
      const status = await service.up([source], { name: LAB });
      expect(status.running, `cycle ${i + 1}`).toBe(true);
      // the lab's containers (the engine may still be removing the exited wiring helper)
      const members = (await mine()).filter((c) => !isHelper(c));
      expect(members.length, `cycle ${i + 1}`).toBe(plan.containers.length);
      const removed = await service.down(LAB);
      expect(removed, `cycle ${i + 1}`).toBe(plan.containers.length);
      expect(await mine(), `cycle ${i + 1}`).toEqual([]);
    }
    expect((await labLeftovers(rt.docker, LAB, plan)).hostIfnames).toEqual([]);
    expect(await service.status(LAB)).toEqual([]);
  });
});
