// The lab service's offline half: everything that needs only the files, no engine.
// Shared by the CLI (validate, rules, explain, get -f) and the UI (editor, explain).
import { loadLabWithIndex, loadResources, loadSources } from '../core/lab-file/index.js';
import { explain } from '../core/explain/explain.js';
import type { Explanation } from '../core/explain/types.js';
import type { Problem } from '../core/errors.js';
import type { IPPool } from '../core/model/calico.js';
import { planLab } from '../core/plan/plan-lab.js';
import { checkIpam } from '../core/ipam/check-ipam.js';
import { LabInputError } from '../core/errors.js';
import { renderContainer } from '../core/plan/render-container.js';
import { felixIpv6 } from '../core/dataplane/render-nft6.js';
import type { ContainerPlan, LabPlan } from '../core/plan/types.js';
import type { LabSource } from './api.js';

export const RULE_FORMATS = ['iptables', 'ipset', 'nft', 'routes', 'bird'] as const;
export type RuleFormat = (typeof RULE_FORMATS)[number];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Validates lab files or bare Calico resources; throws LabInputError listing every problem. */
export function validateSources(sources: LabSource[]): {
  summary: string[];
  labName?: string;
  /** Accepted fields the lab does not follow as Calico would ("not modelled: …"). */
  warnings: Problem[];
} {
  // loadResources, keeping the index: IPAM's problems below are positioned with it.
  const loaded = loadSources(sources);
  if (loaded.problems.length > 0) throw new LabInputError(loaded.problems);
  const r = { ...loaded, ipPools: loaded.lab ? loaded.lab.ipPools : loaded.ipPools };
  const warnings = [...r.warnings];
  const files = sources.map((s) => s.file).join(', ');
  const resources = [
    plural(r.ipPools.length, 'IPPool'),
    r.bgpConfigurations.length ? plural(r.bgpConfigurations.length, 'BGPConfiguration') : '',
    r.bgpPeers.length ? plural(r.bgpPeers.length, 'BGPPeer') : '',
    r.felixConfigurations.length ? plural(r.felixConfigurations.length, 'FelixConfiguration') : '',
  ].filter(Boolean);
  if (!r.lab) return { summary: [`${files}: valid (${resources.join(', ')})`], warnings };
  const lab = r.lab;
  // IPAM as `rules` and `up` run it: a pod that cannot get its address is refused here too.
  const ipam = checkIpam(lab, loaded.index);
  if (ipam.problems.length) throw new LabInputError(ipam.problems);
  warnings.push(...ipam.warnings);
  const counts = [
    plural(lab.nodes.length, 'node'),
    plural(lab.pods.length, 'pod'),
    plural(lab.hosts.length, 'host'),
    plural(lab.ipPools.length, 'IPPool'),
    plural(lab.expect.length, 'expectation'),
  ];
  return {
    summary: [`${files}: lab ${lab.name} is valid (${counts.join(', ')})`],
    labName: lab.name,
    warnings,
  };
}

export function planSources(sources: LabSource[]): LabPlan {
  const { lab, index } = loadLabWithIndex(sources);
  // IPAM's problems (a pod with no address) at the pod's line, as validate reports them.
  const ipam = checkIpam(lab, index);
  if (ipam.problems.length) throw new LabInputError(ipam.problems);
  return planLab(lab);
}

export function poolsFromSources(sources: LabSource[]): IPPool[] {
  return loadResources(sources).ipPools;
}

export function explainSources(
  sources: LabSource[],
  from: string,
  to: string,
  opts: { ipVersion?: 4 | 6 } = {},
): Explanation {
  return explain(planSources(sources), from, to, opts);
}

/**
 * One node's rendered dataplane, one section per format, as the tools inside take it. A node
 * has either the iptables formats (ipset, iptables) or nft, after its FelixConfiguration's
 * nftablesMode; asking for the other kind throws, saying which one the node runs.
 */
export function renderNodeRules(node: ContainerPlan, format?: RuleFormat, headers = false): string {
  const r = renderContainer(node);
  const nft = node.dataplane?.natDataplane === 'nftables';
  if (nft && (format === 'iptables' || format === 'ipset'))
    throw new Error(
      `${node.name} runs Felix's nftables dataplane (FelixConfiguration nftablesMode: Enabled): no ${format} rules; use --format nft`,
    );
  if (node.dataplane && !nft && format === 'nft' && !r.kubeProxyNft)
    throw new Error(
      `${node.name} runs Felix's iptables dataplane (nftablesMode is not Enabled): no nft rules; use --format iptables`,
    );
  const sections: [RuleFormat, string, string | undefined][] = nft
    ? [
        // IPv6 labs: `table ip6 calico` follows `table ip calico` in the same text.
        [
          'nft',
          node.dataplane && felixIpv6(node.dataplane)
            ? 'nft -f (tables ip calico and ip6 calico)'
            : 'nft -f (table ip calico)',
          r.nftRuleset,
        ],
      ]
    : [
        ['ipset', 'ipset restore', r.ipsetRestore],
        ['iptables', 'iptables-restore --noflush (nat table)', r.iptablesNat],
      ];
  // kube-proxy in nftables mode: its own table, beside Calico's (either mode).
  if (r.kubeProxyNft)
    sections.push([
      'nft',
      'nft list table ip kube-proxy (kube-proxy, nftables mode)',
      r.kubeProxyNft,
    ]);
  // IPv6 labs: ip6tables' nat table after IPv4's, always headed so the family is never a guess.
  if (r.ip6tablesNat !== undefined)
    sections.push([
      nft ? 'nft' : 'iptables',
      'ip6tables-restore --noflush (nat table, IPv6)',
      `${headers ? '' : '# IPv6: ip6tables-restore --noflush (nat table)\n'}${r.ip6tablesNat}`,
    ]);
  // kube-proxy's filter table (iptables mode): REJECT without endpoints, KUBE-FORWARD.
  if (r.kubeProxyFilter)
    sections.push([
      'iptables',
      'iptables-restore --noflush (filter table, kube-proxy)',
      r.kubeProxyFilter,
    ]);
  // Network policy: Felix's filter chains, when the lab has policies (--format iptables).
  if (r.iptablesFilter)
    sections.push(['iptables', 'iptables-restore --noflush (filter table)', r.iptablesFilter]);
  sections.push(['routes', 'ip -batch (routes)', r.routes]);
  if (r.encap)
    sections.push(['routes', 'tunnels (ip and bridge commands, as Felix programs them)', r.encap]);
  sections.push(['bird', 'BIRD (/etc/bird/bird.conf)', r.birdConfig]);
  // The router's firewall, a gateway pod's SNAT: only the perimeter sections are theirs.
  const perimeterOnly = !node.dataplane && r.perimeter !== undefined;
  const shown: [string, string | undefined][] = sections
    .filter(([f, , text]) => (format === undefined || f === format) && (!perimeterOnly || text))
    .map(([, title, text]) => [title, text]);
  // Shown without --format only: it is not one tool's input.
  if (format === undefined && r.perimeter !== undefined)
    shown.push(["perimeter (the lab's own chains, not Felix's)", r.perimeter]);
  return shown
    .map(
      ([title, text]) => (headers ? `# ${node.name}: ${title}\n` : '') + ensureNewline(text ?? ''),
    )
    .join(headers ? '\n' : '');
}

function ensureNewline(s: string): string {
  return s === '' || s.endsWith('\n') ? s : s + '\n';
}
