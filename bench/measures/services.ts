// Services at scale (issue 21's speed goal): 1,000 Services with 3 endpoints each on one node,
// kube-proxy's nat chains rendered (plan) and applied with Felix's in one iptables-restore
// transaction; the kernel's KUBE-SEP- chains counted afterwards, so the rules are really there.
// Not measured here yet: a Service change -> first packet to the new endpoint through it.
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { nowMs } from '../lib/clock.js';
import { downQuietly, type BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';

function servicesLabYaml(name: string, services: number): string {
  const lines = [
    'apiVersion: egress-lab/v1',
    'kind: Lab',
    `metadata: {name: ${name}}`,
    'spec:',
    '  nodes: [{name: node-1}]',
    '  pods:',
    ...[1, 2, 3].map(
      (i) => `    - {name: web-${i}, node: node-1, labels: {app: web}, tcpPorts: [8080]}`,
    ),
    '  kubeProxy: {clusterCIDR: 192.168.0.0/16}',
    '  services:',
  ];
  for (let i = 0; i < services; i++)
    lines.push(
      `    - {metadata: {name: svc-${i}}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}`,
    );
  return `${lines.join('\n')}\n`;
}

export async function benchServices(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const lab = 'bench-services';
  const count = 1000;
  const source = { file: `${lab}.yaml`, text: servicesLabYaml(lab, count) };
  await downQuietly(ctx, lab);
  try {
    await ctx.service.up([source], { name: lab });
    const labObj = loadLab([source]);
    const reps = o.quick ? 3 : 10;
    const render: number[] = [];
    const apply: number[] = [];
    const both: number[] = [];
    let rules = 0;
    for (let i = 0; i < reps; i++) {
      const t0 = nowMs();
      const plan = planLab(labObj);
      const t1 = nowMs();
      const node = plan.containers.find((c) => c.role === 'node')!;
      rules = node.dataplane!.nat.kubeProxy!.rules.length;
      await ctx.runtime.applyDataplane(lab, [node]);
      const t2 = nowMs();
      render.push(t1 - t0);
      apply.push(t2 - t1);
      both.push(t2 - t0);
    }
    const save = await ctx.runtime.exec(lab, 'node-1', ['iptables-save', '-t', 'nat']);
    const sepChains = (save.stdout.match(/^:KUBE-SEP-/gm) ?? []).length;
    const b = summarize(both);
    return {
      id: 'services',
      title: '7. kube-proxy rules at scale (1,000 Services x 3 endpoints, one node)',
      rows: [
        { measure: '7 services: render (plan)', unit: 'ms', summary: summarize(render) },
        { measure: '7 services: apply on one node', unit: 'ms', summary: summarize(apply) },
        {
          measure: '7 services: render + apply',
          unit: 'ms',
          summary: b,
          goal: '<= 1000 ms',
          pass: b.p95 <= 1000 && sepChains === count * 3,
          note: `${rules} kube-proxy rules, ${sepChains} KUBE-SEP- chains in the kernel`,
        },
      ],
      data: { count, render, apply, both, rules, sepChains },
      notes: [
        'ClusterIP Services selecting the same 3 pods; one iptables-restore --noflush per apply (Felix + kube-proxy chains)',
        'not measured yet: a Service change -> first packet to the new endpoint (goal p95 <= 250 ms)',
      ],
    };
  } finally {
    await downQuietly(ctx, lab);
  }
}
