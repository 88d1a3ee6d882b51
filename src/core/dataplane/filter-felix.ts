// A node's filter table as Felix v3.30 programs it for its workloads, as data:
// - FORWARD: `-j cali-FORWARD` inserted, then the appended accept of what policy accepted
//   (felix/dataplane/linux/int_dataplane.go, rules/static.go StaticFilterForwardAppendRules);
// - cali-FORWARD (static.go StaticFilterForwardChains) → cali-from-wl-dispatch /
//   cali-to-wl-dispatch, by interface name, as a prefix tree (dispatch.go) → cali-fw-<iface> /
//   cali-tw-<iface> per workload (endpoints.go endpointIptablesChain: conntrack, the VXLAN/IPIP
//   drops, the default tier's policies, end-of-tier drop, then the profiles kns.<ns> and
//   ksa.<ns>.default, drop if none accepted);
// - cali-po-/cali-pi- per policy (policy.go), cali-go-/cali-gi- for a run of policies with the
//   same selector (endpoints.go PolicyGroup, endpoint_mgr.go groupPolicies);
// - cali-pro-/cali-pri- per profile (the namespace profile allows everything).
// Only chains something jumps to are listed: Felix's table programs referenced chains only.
import { createHash } from 'node:crypto';
import {
  canonicalSelector,
  ipsetNameV4,
  ipsetNameV6,
  selectorSetId,
} from '../calico/policy-selectors.js';
import { matchesSelector } from '../calico/selector.js';
import {
  networkSetLabels,
  policiesFor,
  workloadLabels,
  workloadProfiles,
} from '../calico/endpoints.js';
import type { Lab, LabPod } from '../model/lab.js';
import type { Policy, PolicyRule } from '../model/policy.js';
import { hostFilterChains, type HostFilterOptions } from './filter-host.js';
import { chainRules, ruleSelectors, type IpVersion } from './filter-policy.js';
import {
  MARK_ACCEPT,
  MARK_PASS,
  MARK_SCRATCH0,
  MARK_SCRATCH1,
  type FilterChain,
  type FilterRule,
  type FilterTable,
} from './filter-types.js';
import type { IpSet } from './types.js';

export const CHAIN_FILTER_FORWARD = 'cali-FORWARD';
export const CHAIN_FROM_WL_DISPATCH = 'cali-from-wl-dispatch';
export const CHAIN_TO_WL_DISPATCH = 'cali-to-wl-dispatch';
const CHAIN_FROM_HEP_FORWARD = 'cali-from-hep-forward';
const CHAIN_TO_HEP_FORWARD = 'cali-to-hep-forward';
const CHAIN_CIDR_BLOCK = 'cali-cidr-block';
const MAX_CHAIN_NAME = 28;
const VXLAN_PORT = 4789;
const PROTO_UDP = 17;
const PROTO_IPIP = 4;
const ALLOW_RULE: PolicyRule = {
  action: 'Allow',
  source: { nets: [], notNets: [], ports: [], notPorts: [] },
  destination: { nets: [], notNets: [], ports: [], notPorts: [] },
};

/** hashutils.GetLengthLimitedID. */
export function lengthLimitedId(prefix: string, suffix: string, max = MAX_CHAIN_NAME): string {
  const total = prefix.length + suffix.length;
  if (total > max || (total === max && suffix.startsWith('_'))) {
    const hash = createHash('sha256').update(suffix).digest('base64url');
    return `${prefix}_${hash.slice(0, max - 1 - prefix.length)}`;
  }
  return prefix + suffix;
}

export function policyChainName(dir: 'ingress' | 'egress', p: Policy): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pi-' : 'cali-po-', `${p.tier}/${p.id}`);
}

export function profileChainName(dir: 'ingress' | 'egress', profile: string): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pri-' : 'cali-pro-', profile);
}

export function endpointChainName(dir: 'ingress' | 'egress', iface: string): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-tw-' : 'cali-fw-', iface);
}

/** PolicyGroup.ChainName: SHA3-224 over tier, selector, direction, count and names. */
function groupChainName(dir: 'ingress' | 'egress', tier: string, selector: string, ids: string[]) {
  const h = createHash('sha3-224');
  const direction = dir === 'ingress' ? 'inbound' : 'outbound';
  for (const s of [tier, selector, direction, String(ids.length), ...ids]) h.update(`${s}\n`);
  const prefix = dir === 'ingress' ? 'cali-gi-' : 'cali-go-';
  return prefix + h.digest('base64url').slice(0, MAX_CHAIN_NAME - prefix.length);
}

function clearMark(mask: number, comments?: string[]): FilterRule {
  return { match: [], action: { kind: 'clearMark', mask }, ...(comments ? { comments } : {}) };
}

interface Endpoint {
  pod: LabPod;
  iface: string;
}

class Builder {
  readonly chains = new Map<string, FilterChain>();
  readonly selectors = new Set<string>();
  constructor(
    readonly lab: Lab,
    readonly ipVersion: IpVersion = 4,
  ) {}

  add(chain: FilterChain): void {
    if (!this.chains.has(chain.name)) this.chains.set(chain.name, chain);
  }

  policyChain(dir: 'ingress' | 'egress', p: Policy): string {
    const name = policyChainName(dir, p);
    if (!this.chains.has(name)) {
      const rules = dir === 'ingress' ? p.ingress : p.egress;
      for (const r of rules) for (const s of ruleSelectors(r)) this.selectors.add(s);
      this.add({
        name,
        rules: chainRules(
          rules,
          `Policy ${p.id} ${dir}`,
          (i) => ({
            policy: p.id,
            direction: dir,
            ...(i >= 0 ? { ruleIndex: i } : {}),
          }),
          this.ipVersion,
        ),
      });
    }
    return name;
  }

  profileChain(dir: 'ingress' | 'egress', profile: string): string {
    const name = profileChainName(dir, profile);
    // kns.<ns> allows everything both ways; ksa.<ns>.<sa> only carries labels.
    const rules = profile.startsWith('kns.') ? [ALLOW_RULE] : [];
    this.add({
      name,
      rules: chainRules(
        rules,
        `Profile ${profile} ${dir}`,
        () => ({ profile, direction: dir }),
        this.ipVersion,
      ),
    });
    return name;
  }

  /** PolicyGroupToIptablesChains: jumps to each policy, returning on a verdict every 5. */
  groupChain(dir: 'ingress' | 'egress', group: Policy[]): string {
    const ids = group.map((p) => p.id);
    const name = groupChainName(dir, group[0]!.tier, canonicalSelector(group[0]!.selector), ids);
    const rules: FilterRule[] = [];
    group.forEach((p, count) => {
      if (count !== 0 && count % 5 === 0)
        rules.push({
          match: [{ kind: 'markNotClear', mask: MARK_PASS | MARK_ACCEPT }],
          action: { kind: 'return' },
          comments: ['Return on verdict'],
        });
      rules.push({
        match: count % 5 === 0 ? [] : [{ kind: 'markClear', mask: MARK_PASS | MARK_ACCEPT }],
        action: { kind: 'jump', target: this.policyChain(dir, p) },
      });
    });
    this.add({ name, rules });
    return name;
  }

  endpointChain(dir: 'ingress' | 'egress', ep: Endpoint): FilterChain {
    const rules: FilterRule[] = [
      {
        match: [{ kind: 'ctstate', states: 'RELATED,ESTABLISHED' }],
        action: { kind: 'accept' },
        origin: { role: 'conntrack: reply or related to an allowed flow' },
      },
      {
        match: [{ kind: 'ctstate', states: 'INVALID' }],
        action: { kind: 'drop' },
        origin: { role: 'conntrack: invalid' },
      },
      clearMark(MARK_ACCEPT | MARK_PASS),
    ];
    if (dir === 'egress') {
      rules.push(
        {
          match: [
            { kind: 'protocolNum', num: PROTO_UDP },
            { kind: 'dstPorts', ports: String(VXLAN_PORT) },
          ],
          action: { kind: 'drop' },
          comments: ['Drop VXLAN encapped packets originating in workloads'],
        },
        {
          match: [{ kind: 'protocolNum', num: PROTO_IPIP }],
          action: { kind: 'drop' },
          comments: ['Drop IPinIP encapped packets originating in workloads'],
        },
      );
    }
    const policies = policiesFor(this.lab, ep.pod, dir === 'ingress' ? 'Ingress' : 'Egress');
    if (policies.length) {
      const tier = policies[0]!.tier;
      rules.push(clearMark(MARK_PASS, [`Start of tier ${tier}`]));
      // groupPolicies: consecutive policies with the same selector share a group.
      const groups: Policy[][] = [];
      for (const p of policies) {
        const last = groups[groups.length - 1];
        if (last && last[0]!.selector === p.selector) last.push(p);
        else groups.push([p]);
      }
      for (const g of groups) {
        const targets = g.length === 1 ? [this.policyChain(dir, g[0]!)] : [this.groupChain(dir, g)];
        for (const target of targets) {
          rules.push(
            { match: [{ kind: 'markClear', mask: MARK_PASS }], action: { kind: 'jump', target } },
            {
              match: [{ kind: 'markSet', mark: MARK_ACCEPT }],
              action: { kind: 'return' },
              comments: ['Return if policy accepted'],
            },
          );
        }
      }
      rules.push({
        match: [{ kind: 'markClear', mask: MARK_PASS }],
        action: { kind: 'drop' },
        comments: [`End of tier ${tier}. Drop if no policies passed packet`],
        origin: { role: `end of tier ${tier}: no policy allowed the packet` },
      });
    }
    for (const profile of workloadProfiles(ep.pod)) {
      rules.push(
        { match: [], action: { kind: 'jump', target: this.profileChain(dir, profile) } },
        {
          match: [{ kind: 'markSet', mark: MARK_ACCEPT }],
          action: { kind: 'return' },
          comments: ['Return if profile accepted'],
        },
      );
    }
    rules.push({
      match: [],
      action: { kind: 'drop' },
      comments: ['Drop if no profiles matched'],
      origin: { role: 'no profile accepted the packet' },
    });
    return { name: endpointChainName(dir, ep.iface), rules };
  }
}

/** dispatch.go interfaceNameDispatchChains + buildSingleDispatchChainTree. */
function dispatchChains(names: string[], root: string, dir: 'ingress' | 'egress'): FilterChain[] {
  const sorted = [...new Set(names)].sort();
  let common = sorted[0] ?? '';
  for (const n of sorted) while (!n.startsWith(common)) common = common.slice(0, -1);
  const prefixes: string[] = [];
  const byPrefix = new Map<string, string[]>();
  for (const n of sorted) {
    const prefix = n.length > common.length ? n.slice(0, common.length + 1) : common;
    if (!byPrefix.has(prefix)) {
      prefixes.push(prefix);
      byPrefix.set(prefix, []);
    }
    byPrefix.get(prefix)!.push(n);
  }
  const iface = (name: string) =>
    dir === 'egress'
      ? { kind: 'inInterface' as const, name }
      : { kind: 'outInterface' as const, name };
  const go = (n: string): FilterRule => ({
    match: [iface(n)],
    action: { kind: 'goto', target: endpointChainName(dir, n) },
  });
  const end: FilterRule = {
    match: [],
    action: { kind: 'drop' },
    comments: ['Unknown interface'],
    origin: { role: 'unknown interface' },
  };
  const children: FilterChain[] = [];
  const rootRules: FilterRule[] = [];
  for (const prefix of prefixes) {
    const list = byPrefix.get(prefix)!;
    if (list.length > 1) {
      const child = `${root}-${prefix.slice(common.length)}`;
      rootRules.push({ match: [iface(`${prefix}+`)], action: { kind: 'goto', target: child } });
      children.push({ name: child, rules: [...list.map(go), end] });
    } else rootRules.push(go(list[0]!));
  }
  return [...children, { name: root, rules: [...rootRules, end] }];
}

export interface NodeFilter {
  filter: FilterTable;
  ipsets: IpSet[];
}

/** The filter table and the selector IP sets Felix programs on one node. */
export function nodeFilter(
  lab: Lab,
  endpoints: readonly { pod: string; iface: string }[],
  podAddresses: ReadonlyMap<string, string>,
  host?: HostFilterOptions,
  ipVersion: IpVersion = 4,
): NodeFilter {
  const b = new Builder(lab, ipVersion);
  const eps: Endpoint[] = endpoints.map((e) => ({
    pod: lab.pods.find((p) => p.name === e.pod)!,
    iface: e.iface,
  }));
  const names = eps.map((e) => e.iface);
  const fromDispatch = dispatchChains(names, CHAIN_FROM_WL_DISPATCH, 'egress');
  const toDispatch = dispatchChains(names, CHAIN_TO_WL_DISPATCH, 'ingress');
  const endpointChains = eps.flatMap((ep) => [
    b.endpointChain('ingress', ep),
    b.endpointChain('egress', ep),
  ]);
  const forward: FilterChain = {
    name: CHAIN_FILTER_FORWARD,
    rules: [
      clearMark(MARK_PASS | MARK_SCRATCH0 | MARK_SCRATCH1),
      {
        match: [{ kind: 'markClear', mask: MARK_ACCEPT }],
        action: { kind: 'jump', target: CHAIN_FROM_HEP_FORWARD },
      },
      {
        match: [{ kind: 'inInterface', name: 'cali+' }],
        action: { kind: 'jump', target: CHAIN_FROM_WL_DISPATCH },
      },
      {
        match: [{ kind: 'outInterface', name: 'cali+' }],
        action: { kind: 'jump', target: CHAIN_TO_WL_DISPATCH },
      },
      { match: [], action: { kind: 'jump', target: CHAIN_TO_HEP_FORWARD } },
      { match: [], action: { kind: 'jump', target: CHAIN_CIDR_BLOCK } },
    ],
  };
  const hostSide = host ? hostFilterChains(host, ipVersion) : undefined;
  const chains: FilterChain[] = [
    forward,
    { name: CHAIN_FROM_HEP_FORWARD, rules: [] },
    { name: CHAIN_TO_HEP_FORWARD, rules: [] },
    { name: CHAIN_CIDR_BLOCK, rules: [] },
    // cali-INPUT, cali-wl-to-host, cali-OUTPUT (filter-host.ts): pod <-> own node.
    ...(hostSide?.chains ?? []),
    ...fromDispatch,
    ...toDispatch,
    ...endpointChains,
    ...[...b.chains.values()],
  ];
  const ipsets: IpSet[] = [...b.selectors].map((sel) => ({
    name: (ipVersion === 6 ? ipsetNameV6 : ipsetNameV4)(selectorSetId(sel)),
    type: 'hash:net',
    family: ipVersion === 6 ? 'inet6' : 'inet',
    members: selectorMembers(lab, sel, podAddresses, ipVersion),
  }));
  // One set per selector text; two spellings of one selector share Felix's set.
  const unique = [...new Map(ipsets.map((s) => [s.name, s])).values()];
  return {
    filter: {
      chains,
      inserts: [
        {
          chain: 'FORWARD',
          rules: [{ match: [], action: { kind: 'jump', target: CHAIN_FILTER_FORWARD } }],
        },
        ...(hostSide?.inserts ?? []),
      ],
      appends: [
        {
          chain: 'FORWARD',
          rules: [
            {
              match: [{ kind: 'markSet', mark: MARK_ACCEPT }],
              action: { kind: 'accept' },
              comments: ['Policy explicitly accepted packet.'],
            },
            { match: [], action: { kind: 'setMark', mark: MARK_ACCEPT } },
          ],
        },
      ],
    },
    ipsets: unique,
  };
}

/** Every pod address (/32) and network set net the selector matches, sorted. */
export function selectorMembers(
  lab: Lab,
  selector: string,
  podAddresses: ReadonlyMap<string, string>,
  ipVersion: IpVersion = 4,
): string[] {
  const out = new Set<string>();
  const host = ipVersion === 6 ? 128 : 32;
  for (const pod of lab.pods) {
    const addr = podAddresses.get(pod.name);
    if (addr && matchesSelector(selector, workloadLabels(lab, pod))) out.add(`${addr}/${host}`);
  }
  for (const set of lab.networkSets ?? []) {
    if (matchesSelector(selector, networkSetLabels(lab, set)))
      for (const n of set.nets) if (n.includes(':') === (ipVersion === 6)) out.add(n);
  }
  return [...out].sort();
}
