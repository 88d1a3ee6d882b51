// The perimeter firewall and the egress gateway dataplane as the tools take them:
// `iptables-restore --noflush` input (filter and nat tables) and `ip -batch` input. apply.sh
// adds the hooks (FORWARD, POSTROUTING) once and removes everything when the plan drops it.
import {
  EGRESS_NAT_CHAIN,
  type EgressDataplane,
  type FirewallFilterRule,
  type FirewallTable,
} from './perimeter-types.js';
import type { RouteSpec } from './types.js';
import { renderRoutes } from './render-routes.js';

function quote(comment: string): string {
  return `"${comment.replace(/["\\]/g, '')}"`;
}

export function renderFirewallRule(chain: string, r: FirewallFilterRule): string {
  const parts = [`-A ${chain}`];
  if (r.source) parts.push(`-s ${r.source}`);
  if (r.destination) parts.push(`-d ${r.destination}`);
  if (r.protocol) parts.push(`-p ${r.protocol}`);
  // As iptables-save lists it: a single port loads the protocol's own match (-m tcp).
  if (r.ports?.length === 1) parts.push(`-m ${r.protocol} --dport ${r.ports[0]}`);
  else if (r.ports?.length) parts.push(`-m multiport --dports ${r.ports.join(',')}`);
  parts.push(`-m comment --comment ${quote(r.comment)}`, `-j ${r.verdict}`);
  return parts.join(' ');
}

export const FIREWALL_ESTABLISHED_COMMENT = 'replies of allowed flows';

function chainLines(chain: string, rules: FirewallFilterRule[]): string[] {
  return [
    `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment ${quote(FIREWALL_ESTABLISHED_COMMENT)} -j ACCEPT`,
    ...rules.map((r) => renderFirewallRule(chain, r)),
  ];
}

/** The chains' rules as iptables-save lists them, each with the established-flows rule first. */
export function firewallRuleLines(fw: FirewallTable): string[] {
  return [
    ...chainLines(fw.chain, fw.rules),
    ...(fw.inbound ? chainLines(fw.inbound.chain, fw.inbound.rules) : []),
  ];
}

/** `iptables-restore --noflush` input: declares (creates or flushes) the chains and fills them. */
export function renderFirewallRestore(fw: FirewallTable): string {
  return [
    '*filter',
    `:${fw.chain} - [0:0]`,
    ...(fw.inbound ? [`:${fw.inbound.chain} - [0:0]`] : []),
    ...firewallRuleLines(fw),
    'COMMIT',
    '',
  ].join('\n');
}

/** The hook apply.sh adds once, as iptables-save lists it. */
export function firewallHook(fw: FirewallTable): string {
  return `-A FORWARD -i ${fw.inInterface} ! -o ${fw.inInterface} -j ${fw.chain}`;
}

/** Every hook apply.sh adds once: the outbound one, and the inbound one (into the fabric). */
export function firewallHooks(fw: FirewallTable): string[] {
  return [
    firewallHook(fw),
    ...(fw.inbound
      ? [`-A FORWARD ! -i ${fw.inInterface} -o ${fw.inInterface} -j ${fw.inbound.chain}`]
      : []),
  ];
}

/**
 * `ip -batch` input: the ip rules. The tables' routes are plan routes (egressTableRoutes): they
 * name pod interfaces, so a new container gets them from the wiring, once its links exist.
 */
export function renderEgressRouting(e: EgressDataplane): string {
  const lines = e.rules.map((r) => `rule add from ${r.from} lookup ${r.table} pref ${r.priority}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The egress tables as routes (`throw` for the cluster's ranges, then the default). */
export function egressTableRoutes(e: EgressDataplane): RouteSpec[] {
  return e.tables.flatMap((t) => [
    ...t.throws.map((dst) => ({ dst, type: 'throw' as const, table: t.id })),
    { dst: 'default', via: t.via, dev: t.dev, onlink: true, table: t.id },
  ]);
}

/** The nat chain's rules: clients exempt from the node's SNAT, or the gateway's own SNAT. */
export function egressNatLines(e: EgressDataplane): string[] {
  const lines: string[] = [];
  if (e.natExempt.clients.length) {
    for (const c of e.natExempt.clusterCidrs)
      lines.push(`-A ${EGRESS_NAT_CHAIN} -d ${c} -j RETURN`);
    for (const c of e.natExempt.clients)
      lines.push(
        `-A ${EGRESS_NAT_CHAIN} -s ${c}/32 -m comment --comment "egress gateway client: no natOutgoing" -j ACCEPT`,
      );
  }
  if (e.snatTo)
    lines.push(
      `-A ${EGRESS_NAT_CHAIN} ! -s ${e.snatTo}/32 -o eth0 -m comment --comment "egress gateway SNAT" -j SNAT --to-source ${e.snatTo}`,
    );
  return lines;
}

export function renderEgressNatRestore(e: EgressDataplane): string {
  return ['*nat', `:${EGRESS_NAT_CHAIN} - [0:0]`, ...egressNatLines(e), 'COMMIT', ''].join('\n');
}

/** Display: everything of the egress dataplane, as `ip rule`/`ip route` and iptables lines. */
export function renderEgressText(e: EgressDataplane): string {
  return [
    renderEgressRouting(e).trimEnd(),
    renderRoutes(egressTableRoutes(e)).trimEnd(),
    `-A POSTROUTING -j ${EGRESS_NAT_CHAIN} (inserted first)`,
    ...egressNatLines(e),
  ]
    .filter(Boolean)
    .join('\n');
}
