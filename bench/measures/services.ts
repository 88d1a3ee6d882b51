// Services at scale (issue 21's speed goal): 1,000 Services with 3 endpoints each on one node,
// kube-proxy's nat chains rendered (plan) and applied with Felix's in one iptables-restore
// transaction; the kernel's KUBE-SEP- chains counted afterwards, so the rules are really there.
// Two applies, timed apart: a full one (every chain rewritten, as `up` does) and a live change
// of one Service's port (the apply restores only the chains that changed since the last one,
// as kube-proxy's partial sync does: runtime/agent/apply.sh, changedChains).
// Not measured here yet: a Service change -> first packet to the new endpoint through it.
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { applyAll } from '../../src/runtime/agent/apply.js';
import { AgentPool } from '../../src/runtime/agent/apply-agent.js';
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

/** The lab with Service `svc-k` on port 81 instead of 80 (k < 0: none changed). */
function withOneChanged(text: string, k: number): string {
  if (k < 0) return text;
  const from = `{metadata: {name: svc-${k}}, spec: {selector: {app: web}, ports: [{port: 80,`;
  return text.replace(from, from.replace('port: 80,', 'port: 81,'));
}

export async function benchServices(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const lab = 'bench-services';
  const count = 1000;
  const source = { file: `${lab}.yaml`, text: servicesLabYaml(lab, count) };
  await downQuietly(ctx, lab);
  const agents = new AgentPool(true); // resident agents, as the service's runtime keeps them
  try {
    await ctx.service.up([source], { name: lab });
    const labObj = loadLab([source]);
    const reps = o.quick ? 3 : 10;
    const render: number[] = [];
    const full: number[] = [];
    const both: number[] = [];
    const oneLoad: number[] = [];
    const oneRender: number[] = [];
    const oneApply: number[] = [];
    const oneBoth: number[] = [];
    let rules = 0;
    for (let i = 0; i < reps; i++) {
      // Full: every chain rewritten whatever the last apply left (`up`'s way).
      const t0 = nowMs();
      const plan = planLab(labObj);
      const t1 = nowMs();
      const node = plan.containers.find((c) => c.role === 'node')!;
      rules = node.dataplane!.nat.kubeProxy!.rules.length;
      await applyAll(ctx.docker, lab, [node], 1, agents, true);
      const t2 = nowMs();
      render.push(t1 - t0);
      full.push(t2 - t1);
      both.push(t2 - t0);
      // Live: one Service's port changed, then back (two changes a rep). Parsing the changed
      // file is timed apart (not in the goal, as for policies).
      for (const k of [i, -1]) {
        const l0 = nowMs();
        const changedLab = loadLab([{ ...source, text: withOneChanged(source.text, k) }]);
        const u0 = nowMs();
        const changed = planLab(changedLab);
        const u1 = nowMs();
        await applyAll(
          ctx.docker,
          lab,
          [changed.containers.find((c) => c.role === 'node')!],
          1,
          agents,
        );
        const u2 = nowMs();
        oneLoad.push(u0 - l0);
        oneRender.push(u1 - u0);
        oneApply.push(u2 - u1);
        oneBoth.push(u2 - u0);
      }
    }
    const save = await ctx.runtime.exec(lab, 'node-1', ['iptables-save', '-t', 'nat']);
    const sepChains = (save.stdout.match(/^:KUBE-SEP-/gm) ?? []).length;
    const b = summarize(both);
    const one = summarize(oneBoth);
    return {
      id: 'services',
      title: '7. kube-proxy rules at scale (1,000 Services x 3 endpoints, one node)',
      rows: [
        { measure: '7 services: render (plan)', unit: 'ms', summary: summarize(render) },
        {
          measure: '7 services: full apply on one node (every chain)',
          unit: 'ms',
          summary: summarize(full),
        },
        {
          measure: '7 services: render + full apply',
          unit: 'ms',
          summary: b,
          goal: '<= 1000 ms',
          pass: b.p95 <= 1000 && sepChains === count * 3,
          note: `${rules} kube-proxy rules, ${sepChains} KUBE-SEP- chains in the kernel`,
        },
        {
          measure: '7 services: one Service changed: parse + validate the YAML (not in the goal)',
          unit: 'ms',
          summary: summarize(oneLoad),
        },
        {
          measure: '7 services: one Service changed: render (plan)',
          unit: 'ms',
          summary: summarize(oneRender),
        },
        {
          measure: '7 services: one Service changed: apply (changed chains only)',
          unit: 'ms',
          summary: summarize(oneApply),
        },
        {
          measure: '7 services: one Service changed: render + apply',
          unit: 'ms',
          summary: one,
          goal: '<= 1000 ms',
          pass: one.p95 <= 1000 && sepChains === count * 3,
        },
      ],
      data: { count, render, full, both, oneLoad, oneRender, oneApply, oneBoth, rules, sepChains },
      notes: [
        'ClusterIP Services selecting the same 3 pods; one iptables-restore --noflush per apply (Felix + kube-proxy chains)',
        "full: every chain rewritten (one restore without --noflush: the tables hold only the lab's rules); one changed: only the chains whose rules differ from the last apply (kube-proxy partial sync)",
        'a Service change -> first packet to the new endpoint: --only=service-change',
      ],
    };
  } finally {
    await agents.close();
    await downQuietly(ctx, lab);
  }
}
