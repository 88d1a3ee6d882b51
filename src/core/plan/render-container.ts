// A container's desired state as the tools' input text, rendered from the plan's data at the
// edge (the plan itself holds no text). Used to display the rules (`rules`, the UI) and to
// compare plans; the runtime's apply renders the same data in the parts it needs.
import { renderBirdNode } from '../dataplane/render-bird-node.js';
import { renderBirdRouter } from '../dataplane/render-bird-router.js';
import { renderBirdTor } from '../dataplane/render-bird-tor.js';
import { renderEncapCommands } from '../dataplane/render-encap.js';
import { renderIpsetRestore } from '../dataplane/render-ipset.js';
import { renderIptablesNat, renderIptablesSave } from '../dataplane/render-nat.js';
import { renderNftRulesetWithFilter } from '../dataplane/render-nft-filter.js';
import { felixIpv6 } from '../dataplane/render-nft6.js';
import { renderNft6RulesetWithFilter } from '../dataplane/render-nft-filter6.js';
import { renderIptablesFilter } from '../dataplane/render-filter.js';
import { renderKubeProxyNftList } from '../dataplane/render-kube-proxy-nft.js';
import { renderKubeFilterParts } from '../dataplane/kube-proxy-text.js';
import { renderRoutes } from '../dataplane/render-routes.js';
import type { BirdRenderOptions } from '../dataplane/types.js';
import { perimeterText } from './render-perimeter-text.js';
import type { ContainerPlan } from './types.js';

/** The text each tool takes, for one container. */
export interface RenderedDataplane {
  ipsetRestore?: string; // `ipset restore` input (nodes): staged in cali4t<N> and swapped, as Felix does
  iptablesNat?: string; // `iptables-restore --noflush` input for the nat table (nodes), as a fresh namespace takes it
  iptablesSave?: string; // the same table as `iptables-save -t nat` lists it (display, diffs)
  /**
   * nftables nodes instead of the three above: table `ip calico` (sets and chains) as `nft -f`
   * takes it; in IPv6 labs `table ip6 calico` follows it (render-nft6.ts).
   */
  nftRuleset?: string;
  /** Network policy (nodes of a lab with policies): the filter table, as `iptables-restore --noflush` takes it. */
  iptablesFilter?: string;
  routes: string; // `ip -batch` input, `route replace` lines
  birdConfig?: string; // /etc/bird/bird.conf (nodes and router)
  /** The router's firewall chain, nodes' and gateway pods' egress gateway rules (render-perimeter-text.ts). */
  perimeter?: string;
  /** Nodes with tunnels: the devices, ARP/FDB entries and routes through them, as commands. */
  encap?: string;
  /** IPv6 labs: the ip6tables nat table (`ip6tables-restore --noflush` input and `ip6tables-save` view). */
  ip6tablesNat?: string;
  ip6tablesSave?: string;
  /** kube-proxy in nftables mode: table `ip kube-proxy` as `nft list table` prints it. */
  kubeProxyNft?: string;
  /** kube-proxy in iptables mode: its filter table, as `iptables-restore --noflush` takes it. */
  kubeProxyFilter?: string;
}

/** /etc/bird/bird.conf of a node or the router; undefined for containers without BIRD. */
export function renderBirdConfig(
  c: ContainerPlan,
  opts: BirdRenderOptions = {},
): string | undefined {
  if (c.dataplane) return renderBirdNode(c.dataplane.bird, c.name, opts);
  if (c.routerBgp) return renderBirdRouter(c.routerBgp, opts);
  if (c.torBgp) return renderBirdTor(c.torBgp, opts);
  return undefined;
}

export function renderContainer(c: ContainerPlan): RenderedDataplane {
  return withPerimeter(c, withKubeProxyNft(c, renderContainerCore(c)));
}

function withKubeProxyNft(c: ContainerPlan, r: RenderedDataplane): RenderedDataplane {
  const t = c.dataplane?.kubeProxyNft;
  const f = c.dataplane?.nat.kubeProxy?.filter;
  if (f) {
    const p = renderKubeFilterParts(f);
    r = { ...r, kubeProxyFilter: `${p.head}${p.own}${p.kern}COMMIT\n` };
  }
  return t ? { ...r, kubeProxyNft: renderKubeProxyNftList(t) } : r;
}

function withPerimeter(c: ContainerPlan, r: RenderedDataplane): RenderedDataplane {
  const perimeter = perimeterText(c);
  return perimeter === undefined ? r : { ...r, perimeter };
}

function renderContainerCore(c: ContainerPlan): RenderedDataplane {
  const routes = renderRoutes(c.routes);
  const birdConfig = renderBirdConfig(c);
  if (!c.dataplane) return birdConfig === undefined ? { routes } : { routes, birdConfig };
  const dp = c.dataplane;
  const encap = dp.encap ? { encap: renderEncapCommands(dp.encap) } : {};
  const v6 = felixIpv6(dp);
  if (dp.natDataplane === 'nftables')
    return {
      // IPv6 labs: Felix's `table ip6 calico` after the IPv4 table, as applied.
      nftRuleset: `${renderNftRulesetWithFilter(dp)}${v6 ? renderNft6RulesetWithFilter(v6) : ''}`,
      routes,
      birdConfig,
      ...encap,
    };
  const out: RenderedDataplane = {
    ipsetRestore: renderIpsetRestore(dp.ipsets),
    iptablesNat: renderIptablesNat(dp.nat),
    iptablesSave: renderIptablesSave(dp.nat),
    ...(dp.filter ? { iptablesFilter: renderIptablesFilter(dp.filter) } : {}),
    routes,
    birdConfig,
    ...encap,
  };
  // IPv6 labs: Felix's cali60 sets with the others, and ip6tables' nat table.
  if (v6) {
    out.ipsetRestore = renderIpsetRestore([...dp.ipsets, ...v6.ipsets]);
    out.ip6tablesNat = renderIptablesNat(v6.nat);
    out.ip6tablesSave = renderIptablesSave(v6.nat);
  }
  return out;
}
