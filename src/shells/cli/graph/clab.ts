// The lab's topology as a containerlab-style description (https://containerlab.dev topology
// file: `name`, `topology.nodes`, `topology.links[].endpoints` as "node:ifname"), for readers
// who know that format. It describes; containerlab itself would not build this lab (the
// dataplane is the lab's own).
import { stringify } from 'yaml';
import type { LabPlan } from '../../../core/plan/types.js';

export function clabTopology(plan: LabPlan): string {
  const nodes: Record<string, Record<string, unknown>> = {};
  for (const c of plan.containers) {
    const labels: Record<string, string> = { 'egress-lab.role': c.role };
    if (c.node) labels['egress-lab.node'] = c.node;
    nodes[c.name] = { kind: 'linux', labels };
  }
  return stringify(
    {
      name: plan.lab.name,
      topology: {
        nodes,
        links: plan.links.map((l) => ({
          endpoints: [`${l.a.container}:${l.a.ifname}`, `${l.b.container}:${l.b.ifname}`],
        })),
      },
    },
    { lineWidth: 0 },
  );
}
