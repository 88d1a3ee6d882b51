// Network policy (issue 16): (1) a policy change to the wire, via the service: new-flow pings
// from shop-1 (namespace shop, default deny) to the internet host; a NetworkPolicy allowing
// 203.0.113.0/24 applied, then deleted, 10 times each; time from the call to the first packet on
// the host's wire (allow), and to the last one (deny: every later ping is dropped in the node).
// (2) 1,000 GlobalNetworkPolicies on one node: the plan and the node's apply input rendered
// in-process, and applied to a running node through the service (appliedMs).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { applyInputFiles } from '../../src/runtime/agent/apply-input.js';
import type { LabSource } from '../../src/service/api.js';
import { nowMs, sleep } from '../lib/clock.js';
import { address, downQuietly, type BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';
import { newFlowPinger, wireTap } from '../lib/wire.js';

const ALLOW_INTERNET: LabSource = {
  file: 'allow-internet.yaml',
  text: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-internet, namespace: shop}
spec:
  order: 50
  selector: app == 'shop'
  types: [Egress]
  egress: [{action: Allow, destination: {nets: [203.0.113.0/24]}}]
`,
};

async function template(): Promise<LabSource> {
  const path = fileURLToPath(
    new URL('../../../lab-templates/policy-default-deny-networkset.yaml', import.meta.url),
  );
  return { file: path, text: await readFile(path, 'utf8') };
}

interface Change {
  allow: boolean;
  callMs: number;
  appliedMs: number;
  /** allow: call → first packet on the wire; deny: call → last packet on the wire. */
  wireMs: number;
}

async function measureChanges(ctx: BenchContext, rounds: number): Promise<Change[]> {
  const lab = 'bench-policy';
  await downQuietly(ctx, lab);
  const status = await ctx.service.up([await template()], { name: lab });
  const internet = address(status, 'internet');
  const tap = await wireTap(ctx, lab, 'internet', 'eth0', ['icmp[icmptype] == icmp-echo']);
  const pinger = newFlowPinger(ctx, lab, 'shop-1', internet, 0.01);
  const out: Change[] = [];
  try {
    await sleep(500);
    if (tap.packets.length) throw new Error('shop-1 reaches internet before any allow');
    for (let i = 0; i < rounds * 2; i++) {
      const allow = i % 2 === 0;
      const t = nowMs();
      const r = allow
        ? await ctx.service.apply(lab, [ALLOW_INTERNET])
        : await ctx.service.deleteResources(lab, [
            { kind: 'NetworkPolicy', name: 'shop/allow-internet' },
          ]);
      const callMs = nowMs() - t;
      let wireMs = NaN;
      if (allow) {
        const seen = await tap.waitFor((p) => p.tsMs >= t, 5000);
        if (seen) wireMs = seen.tsMs - t;
      } else {
        await sleep(1000); // pings every 10 ms: a second of nothing means they are dropped
        const last = tap.packets.filter((p) => p.tsMs >= t).at(-1);
        wireMs = last ? last.tsMs - t : 0;
        if (tap.packets.some((p) => p.tsMs >= t + 900)) wireMs = NaN; // still getting through
      }
      out.push({ allow, callMs, appliedMs: r.appliedMs, wireMs });
      ctx.log(
        `  ${allow ? 'allow' : 'deny '} ${i + 1}: wire ${Math.round(wireMs)} ms (call ${Math.round(callMs)} ms, apply ${r.appliedMs} ms)`,
      );
      await sleep(200 + Math.random() * 200);
    }
    return out;
  } finally {
    await pinger.kill('TERM').catch(() => undefined);
    await tap.stop().catch(() => undefined);
    await downQuietly(ctx, lab);
  }
}

function manyPolicies(n: number): LabSource {
  const docs = [];
  for (let i = 0; i < n; i++)
    docs.push(`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p-${i}}
spec:
  order: ${i}
  selector: app == 'a' && tier != 't${i % 7}'
  types: [Egress]
  egress: [{action: Allow, protocol: TCP, destination: {nets: [10.${Math.floor(i / 256)}.${i % 256}.0/24], ports: [${1000 + (i % 1000)}]}}]
`);
  return { file: 'policies.yaml', text: docs.join('---\n') };
}

const SMALL_LAB = `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: bench-policies}
spec:
  nodes: [{name: node-1}]
  pods: [{name: a-1, node: node-1, labels: {app: a}}, {name: a-2, node: node-1, labels: {app: a}}]
`;

async function measureMany(ctx: BenchContext, n: number) {
  const policies = manyPolicies(n);
  // Parse + validate (the YAML of 1,000 resources), then render: the plan with the policies and
  // the node's apply input (what the apply ships), timed apart.
  const loads: number[] = [];
  const renders: number[] = [];
  let rules = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = nowMs();
    const labWith = loadLab([{ file: 'lab.yaml', text: SMALL_LAB }, policies]);
    const t = nowMs();
    const plan = planLab(labWith);
    const node = plan.containers.find((c) => c.name === 'node-1')!;
    const files = applyInputFiles(node);
    renders.push(nowMs() - t);
    loads.push(t - t0);
    rules =
      (files.find((f) => f.name === 'filter.own')?.content.toString() ?? '').split('\n').length - 1;
  }
  const lab = 'bench-policies';
  await downQuietly(ctx, lab);
  await ctx.service.up([{ file: 'lab.yaml', text: SMALL_LAB }], { name: lab });
  const applies: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const t = nowMs();
      const r = await ctx.service.apply(lab, [policies]);
      applies.push(r.appliedMs);
      ctx.log(`  ${n} policies applied: ${r.appliedMs} ms (call ${Math.round(nowMs() - t)} ms)`);
      await ctx.service.deleteResources(
        lab,
        Array.from({ length: n }, (_, k) => ({ kind: 'GlobalNetworkPolicy', name: `p-${k}` })),
      );
    }
  } finally {
    await downQuietly(ctx, lab);
  }
  return { loads, renders, applies, rules };
}

export async function benchPolicy(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const changes = await measureChanges(ctx, o.quick ? 4 : 10);
  const allow = changes.filter((c) => c.allow);
  const deny = changes.filter((c) => !c.allow);
  const allowWire = summarize(allow.map((c) => c.wireMs));
  const missed = allow.filter((c) => !Number.isFinite(c.wireMs)).length;
  const leaked = deny.filter((c) => !Number.isFinite(c.wireMs)).length;
  const many = await measureMany(ctx, 1000);
  const render = summarize(many.renders);
  const apply = summarize(many.applies);
  return {
    id: 'policy',
    title: '16. network policy',
    rows: [
      {
        measure: '16 policy applied -> first allowed packet on the wire',
        unit: 'ms',
        summary: allowWire,
        goal: 'p95 <= 250 ms',
        pass: missed === 0 && allowWire.p95 <= 250,
        note: missed ? `${missed} allows never seen` : '',
      },
      {
        measure: '16 policy deleted -> last packet on the wire (later ones dropped)',
        unit: 'ms',
        summary: summarize(deny.map((c) => c.wireMs)),
        goal: 'p95 <= 250 ms',
        pass: leaked === 0 && summarize(deny.map((c) => c.wireMs)).p95 <= 250,
        note: leaked ? `${leaked} deletes still let packets through after 0.9 s` : '',
      },
      {
        measure: '16 policy change: apply (service appliedMs)',
        unit: 'ms',
        summary: summarize(changes.map((c) => c.appliedMs)),
      },
      {
        measure: `16 1,000 policies: render plan + node apply input (${many.rules} filter rules)`,
        unit: 'ms',
        summary: render,
      },
      {
        measure: '16 1,000 policies: parse + validate the YAML (not in the goal)',
        unit: 'ms',
        summary: summarize(many.loads),
      },
      {
        measure: '16 1,000 policies: applied to one node (service appliedMs)',
        unit: 'ms',
        summary: apply,
        goal: 'render p95 + apply p95 <= 500 ms',
        pass: render.p95 + apply.p95 <= 500,
      },
    ],
    data: { changes, many },
    notes: [
      'deny: the first dropped ping is the one after the last packet seen; pings every 10 ms, so the figure is within 10 ms of it',
      'a live apply restores only the chains that changed since the last one (as Felix does); the 1,000 policies are all new chains, so that apply writes every one of them',
    ],
  };
}
