// `egress-lab diff`: a customer's node dump (iptables-save, ipset list/save, ip route) against
// what Felix, the CNI plugin and BIRD should program on that node for the lab's resources.
// The lab's side is the plan's data (rule values with their cali: hashes, sets, routes);
// only the customer's text is parsed. Rule IDs as Felix computes them
// (felix/generictables/rules.go), so a rule is recognised by its hash first, its text second.
import { LabInputError, type Problem } from '../errors.js';
import { hashedRules, type HashedRule } from '../dataplane/render-nat.js';
import { renderSaveLine } from '../dataplane/iptables-text.js';
import type { NodeDataplane, RouteSpec } from '../dataplane/types.js';
import { IPSET_ALL_HOSTS, IPSET_MASQ_POOLS } from '../dataplane/felix-nat.js';
import { SUPPORTED_CALICO_MINORS, natBehaviour } from '../calico/versions.js';
import type { IPPool } from '../model/calico.js';
import { cidrsOverlap } from '../net/cidr.js';
import { meshLearned } from '../plan/bgp-routes.js';
import { nodeDataplane, nodeFelixConfiguration } from '../plan/node-dataplane.js';
import type { LabPlan } from '../plan/types.js';
import { dumpKind, type DumpText } from './dump-text.js';
import { foreignOwner } from './foreign-rules.js';
import { parseIpsets, type SavedSet } from './parse-ipset.js';
import { parseIptablesSave, type SavedRule, type SavedTable } from './parse-iptables-save.js';
import { parseRoutes, type SavedRoute } from './parse-routes.js';
import { normalizeNftRule, parseNftRuleset, type NftRuleset } from './parse-nft.js';
import { diffNft6 } from './node-diff-nft6.js';
import { NFT_FAMILY, NFT_TABLE, nftHashedRules } from '../dataplane/render-nft.js';
import { ruleOrigin } from './rule-origin.js';
import { diffFilterTable } from './filter-diff.js';
import type { DiffFinding, NodeDiffResult } from './types.js';

/** Versions whose outgoing-NAT rules differ from each other (calico/versions.ts). */
const VERSION_CANDIDATES = [
  'v3.30.0',
  'v3.31.0',
  'v3.31.6',
  'v3.32.0',
  'v3.32.1',
  ...SUPPORTED_CALICO_MINORS.filter((m) => m > 32).map((m) => `v3.${m}.0`),
];

const CALI_COMMENT = /\s*-m comment --comment "?cali:[A-Za-z0-9_-]{16}"?/;

/** A rule's text without its hash comment, spaces collapsed: what the hash stands for. */
function bareText(text: string): string {
  return text.replace(CALI_COMMENT, '').replace(/\s+/g, ' ').trim();
}

function savedPos(file: string, line: number): { file: string; line: number; col: number } {
  return { file, line, col: 1 };
}

interface NodeContext {
  plan: LabPlan;
  node: string;
  dp: NodeDataplane;
  pools: IPPool[];
}

export function diffNode(plan: LabPlan, node: string, dumps: DumpText[]): NodeDiffResult {
  const container = plan.containers.find((c) => c.role === 'node' && c.name === node);
  if (!container?.dataplane) {
    const names = plan.containers.filter((c) => c.role === 'node').map((c) => c.name);
    throw new LabInputError([
      { message: `no node '${node}' in the lab (nodes: ${names.join(', ')})` },
    ]);
  }
  const ctx: NodeContext = { plan, node, dp: container.dataplane, pools: plan.lab.ipPools };
  const problems: Problem[] = [];
  const findings: DiffFinding[] = [];
  const inputs: NodeDiffResult['inputs'] = [];
  const matched = { rules: 0, members: 0, routes: 0 };
  for (const d of dumps) {
    const kind = dumpKind(d);
    if (typeof kind !== 'string') {
      problems.push(kind);
      continue;
    }
    inputs.push({ file: d.file, kind });
    if (kind === 'iptables-save') {
      const { save, problems: p } = parseIptablesSave(d);
      problems.push(...p);
      if (p.length) continue;
      const nat = save.tables.find((t) => t.name === 'nat');
      if (!nat) {
        problems.push({
          position: savedPos(d.file, 1),
          message: `no *nat table in this iptables-save: Calico's outgoing NAT lives there (run iptables-save, or iptables-save -t nat)`,
        });
        continue;
      }
      problems.push(...otherNodeOrVersion(ctx, d.file, nat));
      if (problems.length) continue;
      if (ctx.dp.natDataplane === 'nftables')
        findings.push({
          kind: 'not-compared',
          severity: 'error',
          position: savedPos(d.file, nat.line),
          message: `the lab's FelixConfiguration has nftablesMode Enabled: Felix programs table ip calico, not iptables rules; this node runs Felix in iptables mode (or give nft list ruleset)`,
        });
      else matched.rules += diffRules(ctx, d.file, nat, findings);
      const filter = save.tables.find((t) => t.name === 'filter');
      const policed = filter && ctx.dp.filter && ctx.dp.natDataplane === 'iptables';
      if (policed)
        matched.rules += diffFilterTable(ctx.dp.filter!, d.file, filter, findings, (f, where) =>
          foreignFinding(ctx, d.file, f, where),
        );
      const other = save.tables
        .filter((t) => t.name !== 'nat' && !(policed && t.name === 'filter'))
        .map((t) => t.name);
      const natOther = [...nat.chains.keys()].filter(
        (c) => c.startsWith('cali-') && !ctx.dp.nat.chains.some((x) => x.name === c),
      );
      if (other.length || natOther.length)
        findings.push({
          kind: 'not-compared',
          severity: 'info',
          message: `not compared (the lab models Calico's outgoing NAT${ctx.dp.filter ? ' and policy filter rules' : ''} only): ${[
            ...other.map((t) => `table ${t}`),
            ...natOther.map((c) => `nat chain ${c}`),
          ].join(', ')}`,
        });
    } else if (kind === 'ipset') {
      const { sets, problems: p } = parseIpsets(d);
      problems.push(...p);
      if (!p.length) matched.members += diffSets(ctx, d.file, sets, findings, problems);
    } else if (kind === 'routes') {
      const { routes, problems: p } = parseRoutes(d);
      problems.push(...p);
      if (p.length) continue;
      problems.push(...otherNodeRoutes(ctx, d.file, routes));
      if (!problems.length) matched.routes += diffRoutes(ctx, d.file, routes, findings);
    } else {
      const { ruleset, problems: p } = parseNftRuleset(d);
      problems.push(...p);
      if (p.length) continue;
      const calico = ruleset.chains.filter((c) => c.table === `${NFT_FAMILY} ${NFT_TABLE}`);
      if (!calico.length) {
        findings.push({
          kind: 'missing-rule',
          severity: 'error',
          message: `no table ${NFT_FAMILY} ${NFT_TABLE} in this ruleset: Felix in nftables mode has not programmed the node${ctx.dp.natDataplane === 'iptables' ? ' (and the lab models Felix in iptables mode: give iptables-save)' : ''}`,
        });
        continue;
      }
      if (ctx.dp.natDataplane !== 'nftables')
        findings.push({
          kind: 'not-compared',
          severity: 'error',
          position: savedPos(d.file, calico[0]!.line),
          message: `this node runs Felix in nftables mode (table ${NFT_FAMILY} ${NFT_TABLE}); the lab's FelixConfiguration does not (nftablesMode: Enabled would): rules not compared`,
        });
      else matched.rules += diffNftRules(ctx, d.file, ruleset, findings);
      const sets = ruleset.sets
        .filter((x) => x.table === `${NFT_FAMILY} ${NFT_TABLE}`)
        .map((x) => ({ name: x.name, type: 'nft', line: x.line, members: x.elements }));
      if (sets.length) matched.members += diffSets(ctx, d.file, sets, findings, problems);
      // IPv6 labs: Felix's `table ip6 calico` too (node-diff-nft6.ts).
      if (ctx.dp.natDataplane === 'nftables' && ctx.dp.ipv6) {
        const m6 = diffNft6(ctx.dp, d.file, ruleset, findings);
        matched.rules += m6.rules;
        matched.members += m6.members;
      }
    }
  }
  if (problems.length) throw new LabInputError(problems);
  return { node, calicoVersion: plan.lab.calicoVersion, inputs, findings, matched };
}

function natRules(table: SavedTable, chain: string): SavedRule[] {
  return table.rules.filter((r) => r.chain === chain);
}

/** Whether every rule Felix would program for `dp` is in the table (by hash). */
function hasAllRules(dp: NodeDataplane, table: SavedTable): boolean {
  const hashes = new Set(table.rules.map((r) => r.hash).filter(Boolean));
  return hashedRules(dp.nat).every((r) => hashes.has(r.hash));
}

/**
 * A dump from another node, or from another Calico version, would only give noise: say which
 * it is, at the first Calico rule the lab's node would not have.
 */
function otherNodeOrVersion(ctx: NodeContext, file: string, table: SavedTable): Problem[] {
  if (ctx.dp.natDataplane !== 'iptables' || hasAllRules(ctx.dp, table)) return [];
  const ours = new Set(hashedRules(ctx.dp.nat).map((r) => r.hash));
  // The first rule the other node or version has and this one has not.
  const at = (dp: NodeDataplane): { file: string; line: number; col: number } => {
    const theirs = new Set(hashedRules(dp.nat).map((r) => r.hash));
    const first = table.rules.find((r) => r.hash && theirs.has(r.hash) && !ours.has(r.hash));
    return savedPos(file, first?.line ?? table.line);
  };
  const lab = ctx.plan.lab;
  for (const other of ctx.plan.containers) {
    if (other.role !== 'node' || other.name === ctx.node || !other.dataplane) continue;
    if (hasAllRules(other.dataplane, table))
      return [
        {
          position: at(other.dataplane),
          message: `these rules are what Felix programs on ${other.name}, not on ${ctx.node} (its FelixConfiguration node.${other.name} differs): diff this file with --node ${other.name}, or give ${ctx.node}'s iptables-save`,
        },
      ];
  }
  const labNode = lab.nodes.find((n) => n.name === ctx.node)!;
  for (const v of VERSION_CANDIDATES) {
    if (natBehaviour(v).allPoolsSet === natBehaviour(lab.calicoVersion).allPoolsSet) continue;
    const dp = nodeDataplane({ ...lab, calicoVersion: v }, labNode, ctx.plan.ipam);
    if (hasAllRules(dp, table))
      return [
        {
          position: at(dp),
          message: `these rules are what Calico ${v} and later programs (set ${natBehaviour(v).allPoolsSet}), the lab models ${lab.calicoVersion} (set ${natBehaviour(lab.calicoVersion).allPoolsSet}): set spec.calicoVersion to the cluster's version`,
        },
      ];
  }
  return [];
}

function diffRules(
  ctx: NodeContext,
  file: string,
  table: SavedTable,
  findings: DiffFinding[],
): number {
  const labNode = ctx.plan.lab.nodes.find((n) => n.name === ctx.node)!;
  const felix = nodeFelixConfiguration(ctx.plan.lab, labNode);
  const expected = hashedRules(ctx.dp.nat);
  const say = (r: HashedRule): string => {
    const o = ruleOrigin(r, ctx.pools, felix);
    return `${o.role} [${o.source}]`;
  };
  let matched = 0;
  for (const chain of ctx.dp.nat.chains) {
    const exp = expected.filter((r) => !r.appended && r.chain === chain.name);
    const found = natRules(table, chain.name);
    if (!table.chains.has(chain.name)) {
      findings.push({
        kind: 'missing-rule',
        severity: 'error',
        chain: chain.name,
        message: `Felix's chain ${chain.name} is missing${exp.length ? ` with its ${exp.length} rule(s): ${exp.map(say).join('; ')}` : ''}`,
      });
      continue;
    }
    for (const f of found.filter((r) => !r.hash))
      findings.push({
        kind: 'extra-rule',
        severity: 'warning',
        position: savedPos(file, f.line),
        chain: chain.name,
        found: f.text,
        message: `a rule without Felix's cali: comment in Felix's own chain ${chain.name}: someone added it by hand, and Felix removes it when it next rewrites the chain`,
      });
    const cali = found.filter((r) => r.hash);
    let earlierChanged = false;
    for (let i = 0; i < Math.max(exp.length, cali.length); i++) {
      const e = exp[i];
      const f = cali[i];
      const text = e ? renderSaveLine(e.chain, e.rule, '') : '';
      if (e && f) {
        if (f.hash === e.hash) matched++;
        else if (bareText(f.text) === bareText(text)) {
          matched++;
          if (!earlierChanged)
            findings.push({
              kind: 'changed-rule',
              severity: 'info',
              position: savedPos(file, f.line),
              chain: chain.name,
              hash: e.hash,
              expected: renderSaveLine(e.chain, e.rule, e.hash),
              found: f.text,
              message: `${say(e)}: same rule text, but hash cali:${f.hash} instead of cali:${e.hash} (Felix's hash also covers the chain's name and the rules before it)`,
            });
        } else {
          earlierChanged = true;
          findings.push({
            kind: 'changed-rule',
            severity: 'error',
            position: savedPos(file, f.line),
            chain: chain.name,
            hash: e.hash,
            expected: renderSaveLine(e.chain, e.rule, e.hash),
            found: f.text,
            message: `rule ${i + 1} of ${chain.name} differs from ${say(e)}: Felix would program cali:${e.hash} here, the node has cali:${f.hash}`,
          });
        }
      } else if (e) {
        findings.push({
          kind: 'missing-rule',
          severity: 'error',
          chain: chain.name,
          hash: e.hash,
          expected: renderSaveLine(e.chain, e.rule, e.hash),
          message: `missing from ${chain.name}: cali:${e.hash}, ${say(e)}${missingConsequence(e)}`,
        });
      } else if (f) {
        const tunnel = /-o (tunl0|vxlan\.calico|vxlan-v6\.calico|wireguard\.cali)\b/.exec(f.text);
        findings.push({
          kind: 'extra-rule',
          severity: tunnel ? 'info' : 'error',
          position: savedPos(file, f.line),
          chain: chain.name,
          hash: f.hash!,
          found: f.text,
          message: tunnel
            ? `Felix's MASQUERADE for traffic the node sends out of ${tunnel[1]} (IPIP/VXLAN/WireGuard): not modelled, the lab runs no tunnels`
            : `cali:${f.hash} in ${chain.name} is no rule the lab's resources give: a setting the lab does not have, or a stale rule Felix has not removed`,
        });
      }
    }
  }
  for (const a of ctx.dp.nat.appends) {
    const hooks = expected.filter((r) => r.appended && r.chain === a.chain);
    const found = natRules(table, a.chain);
    for (const hook of hooks) {
      const target = hook.rule.action.kind === 'jump' ? hook.rule.action.target : '';
      let at = found.findIndex((r) => r.hash === hook.hash);
      if (at >= 0) matched++;
      else {
        at = found.findIndex((r) => r.hash && r.target === target);
        if (at >= 0)
          findings.push({
            kind: 'changed-rule',
            severity: 'info',
            position: savedPos(file, found[at]!.line),
            chain: a.chain,
            hash: hook.hash,
            expected: renderSaveLine(hook.chain, hook.rule, hook.hash),
            found: found[at]!.text,
            message: `${say(hook)} is there with hash cali:${found[at]!.hash}, not cali:${hook.hash}: Felix inserted it (chainInsertMode Insert) rather than appended it, or another Felix version wrote it`,
          });
        else
          findings.push({
            kind: 'missing-rule',
            severity: 'error',
            chain: a.chain,
            hash: hook.hash,
            expected: renderSaveLine(hook.chain, hook.rule, hook.hash),
            message: `missing from ${a.chain}: cali:${hook.hash}, ${say(hook)}: none of Calico's outgoing NAT runs on this node`,
          });
      }
      const before = at >= 0 ? found.slice(0, at) : [];
      for (const f of before.filter((r) => !r.hash)) findings.push(foreignFinding(ctx, file, f));
    }
  }
  return matched;
}

function missingConsequence(e: HashedRule): string {
  const a = e.rule.action.kind;
  if (e.chain === 'cali-nat-outgoing' && (a === 'masquerade' || a === 'snat'))
    return ': pods of those pools leave with their own addresses';
  if (e.chain === 'cali-POSTROUTING') return ': the packets never reach that chain';
  return '';
}

function foreignFinding(
  ctx: NodeContext,
  file: string,
  f: Pick<SavedRule, 'line' | 'chain' | 'text' | 'target'>,
  where = f.chain,
): DiffFinding {
  const { owner, effect } = foreignOwner(f);
  // iptables: [!] -s CIDR; nft: ip saddr [!=] CIDR (the negation in the first group either way).
  const src =
    /(?:^|\s)(!\s+)?(?:-s|--source)\s+(\S+)/.exec(f.text) ??
    /(?:^|\s)ip saddr\s+(!=\s+)?([0-9][0-9./]*)/.exec(f.text);
  const pools = ctx.pools.filter((p) => !p.spec.cidr.includes(':'));
  const touches =
    !src || !!src[1] || pools.some((p) => cidrsOverlap(p.spec.cidr, src[2]!.split(',')[0]!));
  return {
    kind: 'foreign-before',
    severity: touches ? 'warning' : 'info',
    position: savedPos(file, f.line),
    chain: f.chain,
    found: f.text,
    message: `${owner}'s rule runs before Calico's hook in ${where}: it ${effect}${
      touches
        ? src && !src[1]
          ? ` (its source ${src[2]} overlaps an IPPool: pod traffic is affected)`
          : ' (it does not limit the source: pod traffic can match)'
        : ` (its source ${src![2]} is in no IPPool: pod traffic does not match it)`
    }`,
  };
}

function normMember(m: string): string {
  return m.includes('/') ? m : `${m}/${m.includes(':') ? 128 : 32}`;
}

function diffSets(
  ctx: NodeContext,
  file: string,
  sets: SavedSet[],
  findings: DiffFinding[],
  problems: Problem[],
): number {
  let matched = 0;
  const beh = natBehaviour(ctx.plan.lab.calicoVersion);
  const otherAll =
    beh.allPoolsSet === 'cali40all-ipam-pools' ? 'cali40network-ip-pools' : 'cali40all-ipam-pools';
  const wrongVersion = sets.find((s) => s.name === otherAll);
  if (wrongVersion && !sets.some((s) => s.name === beh.allPoolsSet)) {
    problems.push({
      position: savedPos(file, wrongVersion.line),
      message: `set ${otherAll} is what Calico ${otherAll === 'cali40network-ip-pools' ? 'v3.31.6, v3.32.1 and later' : 'before v3.31.6/v3.32.1'} program(s); the lab models ${ctx.plan.lab.calicoVersion} (set ${beh.allPoolsSet}): set spec.calicoVersion to the cluster's version`,
    });
    return 0;
  }
  const poolOf = (cidr: string): IPPool | undefined => ctx.pools.find((p) => p.spec.cidr === cidr);
  const nodeOf = (cidr: string): string | undefined =>
    ctx.plan.lab.nodes.find((n) => `${n.address}/32` === cidr)?.name;
  for (const want of ctx.dp.ipsets) {
    const got = sets.find((s) => s.name === want.name);
    if (!got) {
      findings.push({
        kind: 'missing-set',
        severity: 'error',
        set: want.name,
        message: `Felix's ipset ${want.name} is missing (it should hold ${want.members.join(', ') || 'nothing yet'}): the cali-nat-outgoing rule that names it cannot match`,
      });
      continue;
    }
    const have = got.members.map((m) => ({ ...m, value: normMember(m.value) }));
    for (const m of want.members) {
      if (have.some((h) => h.value === m)) {
        matched++;
        continue;
      }
      const pool = poolOf(m);
      const name = pool ? `pool ${pool.name}'s CIDR ${m}` : `${m}`;
      findings.push({
        kind: 'missing-member',
        severity: 'error',
        position: savedPos(file, got.line),
        set: want.name,
        expected: m,
        message:
          want.name === IPSET_MASQ_POOLS
            ? `${name} is missing from ${want.name}: its pods leave with their own addresses although natOutgoing is true`
            : want.name === IPSET_ALL_HOSTS
              ? `node ${nodeOf(m) ?? m}'s address is missing from ${want.name}: traffic from NAT pools to it will be NATed (natOutgoingExclusions: IPPoolsAndHostIPs)`
              : `${name} is missing from ${want.name}: traffic to it will be NATed`,
      });
    }
    for (const h of have.filter((x) => !want.members.includes(x.value))) {
      const pool = poolOf(h.value);
      findings.push({
        kind: 'stale-member',
        severity: 'error',
        position: savedPos(file, h.line),
        set: want.name,
        found: h.value,
        message:
          want.name === IPSET_MASQ_POOLS
            ? `${h.value} is in ${want.name} but ${pool ? `pool ${pool.name} has natOutgoing false` : 'no IPPool has that CIDR'} (stale): its pods are NATed although Calico would not`
            : want.name === IPSET_ALL_HOSTS
              ? `${h.value} is in ${want.name} but is no node's address (stale): traffic to it is not NATed`
              : `${h.value} is in ${want.name} but is no IPPool's CIDR (stale): traffic from NAT pools to it is not NATed`,
      });
    }
  }
  const others = sets
    .filter((s) => s.name.startsWith('cali') && !ctx.dp.ipsets.some((w) => w.name === s.name))
    .map((s) => s.name);
  if (others.length)
    findings.push({
      kind: 'not-compared',
      severity: 'info',
      message: `not compared (policy and other sets the lab does not model): ${others.join(', ')}`,
    });
  return matched;
}

interface ExpectedRoute {
  spec: RouteSpec;
  text: string;
  why: string; // what the route is for, in Calico's terms
  missing: string; // what its absence does
}

function expectedRoutes(ctx: NodeContext): ExpectedRoute[] {
  const out: ExpectedRoute[] = [];
  const pods = ctx.plan.ipam.assignments.filter((a) => a.node === ctx.node);
  for (const r of ctx.dp.routes) {
    const pod = pods.find((p) => `${p.address}/32` === r.dst);
    out.push({
      spec: r,
      text: `${r.dst}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`,
      why: pod
        ? `the CNI plugin's route to pod ${pod.pod}`
        : r.dst === 'default'
          ? 'the default route to the fabric'
          : 'a route of the lab',
      missing: pod ? `packets to ${pod.pod} (and its replies) go nowhere` : 'the node cannot leave',
    });
  }
  for (const b of ctx.dp.bird.staticBlackholes)
    out.push({
      spec: { dst: b, type: 'blackhole' },
      text: `blackhole ${b} proto bird`,
      why: `BIRD's blackhole for block ${b}, affine to ${ctx.node}`,
      missing: `BIRD does not announce the block (its export filter takes the static route)`,
    });
  for (const l of meshLearned(ctx.plan, ctx.node))
    out.push({
      spec: { dst: l.cidr, via: l.via },
      text: `${l.cidr} via ${l.via} proto bird`,
      why: `the route BGP (node-to-node mesh) learns for ${l.node}'s block ${l.cidr}`,
      missing: `pods here cannot reach pods in it (is the BGP session with ${l.node} up?)`,
    });
  return out;
}

/** Routes of another node: its blocks blackholed here. */
function otherNodeRoutes(ctx: NodeContext, file: string, routes: SavedRoute[]): Problem[] {
  const ours = new Set(ctx.dp.bird.staticBlackholes);
  const holes = routes.filter((r) => r.type === 'blackhole');
  if (!holes.length || holes.some((h) => ours.has(h.dst))) return [];
  for (const other of ctx.plan.containers) {
    if (other.role !== 'node' || other.name === ctx.node || !other.dataplane) continue;
    const hit = holes.find((h) => other.dataplane!.bird.staticBlackholes.includes(h.dst));
    if (hit)
      return [
        {
          position: savedPos(file, hit.line),
          message: `blackhole ${hit.dst} is ${other.name}'s block (Calico blackholes a node's own blocks): these routes are ${other.name}'s, not ${ctx.node}'s; diff them with --node ${other.name}`,
        },
      ];
  }
  return [];
}

function diffRoutes(
  ctx: NodeContext,
  file: string,
  routes: SavedRoute[],
  findings: DiffFinding[],
): number {
  let matched = 0;
  const used = new Set<SavedRoute>();
  for (const e of expectedRoutes(ctx)) {
    const type = e.spec.type ?? 'unicast';
    const same = routes.filter((r) => r.dst === e.spec.dst && r.type === type);
    same.forEach((r) => used.add(r));
    const got = same[0];
    if (!got) {
      findings.push({
        kind: 'missing-route',
        severity: e.spec.dst === 'default' ? 'warning' : 'error',
        expected: e.text,
        message: `no route ${e.text}: ${e.why}; without it ${e.missing}`,
      });
      continue;
    }
    const viaDiffers = e.spec.via !== undefined && got.via !== e.spec.via;
    const devDiffers =
      e.spec.dev?.startsWith('cali') === true && got.dev !== undefined && got.dev !== e.spec.dev;
    if ((viaDiffers && e.spec.dst !== 'default') || devDiffers)
      findings.push({
        kind: 'changed-route',
        severity: 'error',
        position: savedPos(file, got.line),
        expected: e.text,
        found: got.text,
        message: `${e.why} goes ${got.via ? `via ${got.via}` : ''}${got.dev ? ` dev ${got.dev}` : ''}, Calico's is ${e.text}`,
      });
    else matched++;
  }
  for (const r of routes) {
    if (used.has(r)) continue;
    if (r.proto === 'bird' || r.dev?.startsWith('cali'))
      findings.push({
        kind: 'extra-route',
        severity: 'info',
        position: savedPos(file, r.line),
        found: r.text,
        message: `${r.text}: no pod, block or BGP peer of the lab gives this route (a pod or node the lab file leaves out, or a stale route)`,
      });
  }
  return matched;
}

/** Felix's nftables rules (table ip calico), as diffRules does for iptables. */
function diffNftRules(
  ctx: NodeContext,
  file: string,
  ruleset: NftRuleset,
  findings: DiffFinding[],
): number {
  const labNode = ctx.plan.lab.nodes.find((n) => n.name === ctx.node)!;
  const felix = nodeFelixConfiguration(ctx.plan.lab, labNode);
  const table = `${NFT_FAMILY} ${NFT_TABLE}`;
  const expected = nftHashedRules(ctx.dp.nat);
  // ruleOrigin speaks of Felix's chain names; nftables prefixes them with the layer ("nat-").
  const say = (r: (typeof expected)[number]): string => {
    const o = ruleOrigin({ ...r, chain: r.chain.replace(/^nat-/, '') }, ctx.pools, felix);
    return `${o.role} [${o.source}]`;
  };
  let matched = 0;
  for (const chain of [...new Set(expected.map((r) => r.chain))]) {
    const exp = expected.filter((r) => r.chain === chain);
    const found = ruleset.rules.filter((r) => r.table === table && r.chain === chain);
    if (!ruleset.chains.some((c) => c.table === table && c.name === chain)) {
      findings.push({
        kind: 'missing-rule',
        severity: 'error',
        chain,
        message: `Felix's chain ${chain} is missing from table ${table}: ${exp.map(say).join('; ')}`,
      });
      continue;
    }
    const cali = found.filter((r) => r.hash);
    for (let i = 0; i < Math.max(exp.length, cali.length); i++) {
      const e = exp[i];
      const f = cali[i];
      if (e && f) {
        if (f.hash === e.hash || f.text === normalizeNftRule(e.text)) matched++;
        else
          findings.push({
            kind: 'changed-rule',
            severity: 'error',
            position: savedPos(file, f.line),
            chain,
            hash: e.hash,
            expected: e.text,
            found: f.raw,
            message: `rule ${i + 1} of ${chain} differs from ${say(e)}: Felix would program cali:${e.hash} here, the node has cali:${f.hash}`,
          });
      } else if (e)
        findings.push({
          kind: 'missing-rule',
          severity: 'error',
          chain,
          hash: e.hash,
          expected: e.text,
          message: `missing from ${chain}: cali:${e.hash}, ${say(e)}`,
        });
      else if (f)
        findings.push({
          kind: 'extra-rule',
          severity: 'error',
          position: savedPos(file, f.line),
          chain,
          hash: f.hash!,
          found: f.raw,
          message: `cali:${f.hash} in ${chain} is no rule the lab's resources give: a setting the lab does not have, or a stale rule`,
        });
    }
  }
  // Other tables' nat chains on the same hook with a lower priority run first (iptables-nft's
  // "ip nat" POSTROUTING at srcnat runs before Felix's srcnat + 10).
  const ours = ruleset.chains.find((c) => c.table === table && c.hook?.hook === 'postrouting');
  const mine = ours?.hook?.priority ?? 110;
  for (const c of ruleset.chains) {
    if (c.table === table || c.hook?.hook !== 'postrouting' || c.hook.type !== 'nat') continue;
    if (c.hook.priority >= mine) continue;
    for (const r of ruleset.rules.filter((x) => x.table === c.table && x.chain === c.name)) {
      const t = /(?:^|\s)(masquerade|snat|accept|return|drop)(?=\s|$)/.exec(r.text)?.[1];
      const jump = /(?:^|\s)(?:jump|goto) (\S+)/.exec(r.text)?.[1];
      const target = jump ?? (t ? t.toUpperCase() : undefined);
      findings.push(
        foreignFinding(
          ctx,
          file,
          { line: r.line, chain: c.name, text: r.raw, ...(target ? { target } : {}) },
          `the postrouting hook (${c.table} ${c.name}, priority ${c.hook.priority} before Felix's ${mine})`,
        ),
      );
    }
  }
  return matched;
}
