// Random valid labs realized in network namespaces: for each, explain's seen source and reply
// must match the real kernel for a pod talking to the internet host, another pod and node-2.
// Few runs (each builds a whole lab); skipped unless root with ip netns, ipset and iptables.
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { LabInputError } from '../../../src/core/errors.js';
import { explain } from '../../../src/core/explain/explain.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import type { LabPlan } from '../../../src/core/plan/types.js';
import { labArbitrary } from '../helpers/arbitraries.js';
import { NetnsLab, netnsAvailable } from '../helpers/netns.js';

const PREFIX = `eglp${process.pid % 100000}`;
const net = new NetnsLab(PREFIX);
afterAll(() => net.sweep());

describe.skipIf(!netnsAvailable(PREFIX))(
  'random labs on real namespaces agree with explain',
  () => {
    test('seen source and reply', async () => {
      await fc.assert(
        fc.asyncProperty(
          labArbitrary(1),
          fc.constantFrom('internet', 'other-pod', 'node-2'),
          async (lab, to) => {
            let plan: LabPlan;
            try {
              plan = planLab(lab);
            } catch (e) {
              if (e instanceof LabInputError) return;
              throw e;
            }
            const from = plan.ipam.assignments[0]!;
            const other = plan.ipam.assignments[plan.ipam.assignments.length - 1]!;
            const target = to === 'other-pod' ? other.pod : to;
            if (target === from.pod) return;
            try {
              net.realize(plan);
              const e = explain(plan, from.pod, target, { protocol: 'udp' });
              const echo = await net.startEcho(target, 8081);
              const out = net.send(from.pod, e.destination, 8081);
              await new Promise((r) => setTimeout(r, 100));
              const label = JSON.stringify({ from: from.pod, target, e: e.steps });
              expect(echo.seen[0] ?? 'nothing', label).toBe(
                e.forward?.ok === false ? 'nothing' : e.seenSource,
              );
              expect(out.startsWith('seen '), label).toBe(e.reply);
            } finally {
              net.cleanup();
            }
          },
        ),
        { numRuns: 8 },
      );
    }, 120_000);
  },
);
