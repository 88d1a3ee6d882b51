// Felix's nftables mode (FelixConfiguration nftablesMode: Enabled), against the same goals as
// iptables mode: (2n) natOutgoing toggle to the wire, as measure 2 does it, on the default
// template with the mode on; (6n) 1,000 pools on one node rendered and applied as table
// `ip calico` (named sets instead of ipsets), as measure 6 does it.
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { nowMs } from '../lib/clock.js';
import { defaultTemplate, downQuietly, type BenchContext } from '../lib/lab.js';
import { scaleLabYaml } from '../lib/lab-yaml.js';
import type { RunOptions, Section } from '../lib/section.js';
import { summarize } from '../lib/stats.js';
import { measureToggle } from './toggle.js';

const NFT_FELIX = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Enabled}
`;

export async function benchNftToggle(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const base = await defaultTemplate();
  const source = { file: base.file, text: `${base.text.trimEnd()}\n${NFT_FELIX}` };
  const lab = 'bench-nft-toggle';
  const { flips, pps } = await measureToggle(ctx, o.quick ? 6 : 20, { lab, source });
  const wire = summarize(flips.map((f) => f.toWireMs));
  const missed = flips.filter((f) => !Number.isFinite(f.toWireMs)).length;
  return {
    id: 'nft-toggle',
    title: '2n. natOutgoing toggle to wire, nftables mode',
    rows: [
      {
        measure: '2n nft toggle: patch call -> new source on the wire',
        unit: 'ms',
        summary: wire,
        goal: 'p95 <= 250 ms',
        pass: missed === 0 && wire.p95 <= 250,
        note: `${Math.round(pps)} pings/s${missed ? `, ${missed} flips never seen` : ''}`,
      },
      {
        measure: '2n nft toggle: apply (service appliedMs)',
        unit: 'ms',
        summary: summarize(flips.map((f) => f.appliedMs)),
      },
    ],
    data: { pps, flips },
    notes: ['outgoing-nat template with nftablesMode: Enabled; one ping process per packet'],
  };
}

export async function benchNftRules(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const lab = 'bench-nft-rules';
  const pools = 1000;
  const text = `${scaleLabYaml({ name: lab, nodes: 1, podsPerNode: 1, extraPools: pools }).trimEnd()}\n${NFT_FELIX}`;
  const source = { file: `${lab}.yaml`, text };
  await downQuietly(ctx, lab);
  try {
    await ctx.service.up([source], { name: lab });
    const reps = o.quick ? 3 : 10;
    const render: number[] = [];
    const apply: number[] = [];
    const both: number[] = [];
    const labObj = loadLab([source]);
    for (let i = 0; i < reps; i++) {
      const t0 = nowMs();
      const plan = planLab(labObj);
      const t1 = nowMs();
      const node = plan.containers.find((c) => c.role === 'node')!;
      if (node.dataplane?.natDataplane !== 'nftables')
        throw new Error('the node is not in nftables mode');
      await ctx.runtime.applyDataplane(lab, [node]);
      const t2 = nowMs();
      render.push(t1 - t0);
      apply.push(t2 - t1);
      both.push(t2 - t0);
    }
    const set = await ctx.runtime.exec(lab, 'node-1', [
      'nft',
      'list',
      'set',
      'ip',
      'calico',
      'cali40all-ipam-pools',
    ]);
    const inSet = (set.stdout.match(/\d+\.\d+\.\d+\.\d+\/\d+/g) ?? []).length;
    const toggles: number[] = [];
    let nat = false; // pool-0001 starts with natOutgoing false (odd index)
    for (let i = 0; i < reps; i++) {
      nat = !nat;
      const t0 = nowMs();
      await ctx.service.patchPool(lab, 'pool-0001', { spec: { natOutgoing: nat } });
      toggles.push(nowMs() - t0);
    }
    const masq = await ctx.runtime.exec(lab, 'node-1', [
      'nft',
      'get',
      'element',
      'ip',
      'calico',
      'cali40masq-ipam-pools',
      '{ 10.0.1.1 }',
    ]);
    const masqOk = (masq.exitCode === 0) === nat;
    const b = summarize(both);
    const t = summarize(toggles);
    return {
      id: 'nft-rules',
      title: '6n. rules at scale in nftables mode (1,000 pools, one node)',
      rows: [
        { measure: '6n nft rules: render (plan)', unit: 'ms', summary: summarize(render) },
        { measure: '6n nft rules: apply on one node', unit: 'ms', summary: summarize(apply) },
        {
          measure: '6n nft rules: render + apply',
          unit: 'ms',
          summary: b,
          goal: '<= 200 ms',
          pass: b.p95 <= 200,
          note: `${inSet} CIDRs in set cali40all-ipam-pools`,
        },
        {
          measure: '6n nft rules: one toggle (patch call)',
          unit: 'ms',
          summary: t,
          goal: '<= 200 ms',
          pass: t.p95 <= 200 && masqOk,
          note: masqOk ? '' : 'masq set does NOT follow the toggle',
        },
      ],
      data: { pools, render, apply, both, toggles, inSet, masqOk },
      notes: ['1,000 pools as elements of two nft interval sets, one nft -f per apply'],
    };
  } finally {
    await downQuietly(ctx, lab);
  }
}
