// The IPv6 half of a node's BIRD config: what Calico's confd renders into bird6.cfg,
// bird6_aggr.cfg and bird6_ipam.cfg (confd/etc/calico/confd/templates/bird6*.cfg.template; see
// confd/tests/compiled_templates/explicit_peering/global-ipv6/bird6.cfg) for the separate bird6
// daemon of Calico's BIRD 1 fork. The lab's BIRD 2 runs both families in one daemon, so the same
// protocols get an `ipv6` channel and the IPv6 functions and filters a `6` suffix (BIRD 2 keeps
// one namespace for both); the choices of render-bird-node.ts (no BFD, connect delay 0, device
// routes kept out of the kernel) hold here too.
import type { BirdConfigData6, BirdPeer, BirdRenderOptions } from './types.js';

function peer6(p: BirdPeer, asNumber: number, opts: BirdRenderOptions): string[] {
  const out = [`# ${p.origin}`, `protocol bgp ${p.name} from bgp_template6 {`];
  if (opts.sessionsDisabled) out.push('  disabled;');
  out.push(`  neighbor ${p.neighbor} as ${p.asNumber};`);
  if (p.sourceAddress)
    out.push(
      `  source address ${p.sourceAddress};  # The local address we use for the TCP connection`,
    );
  if (p.passive) out.push('  passive on; # Mesh is unidirectional, peer will connect to us.');
  if (p.kind === 'mesh') out.push('  graceful restart time 120;');
  if (p.keepNextHop && p.asNumber !== asNumber) out.push('  ipv6 { next hop keep; };');
  out.push('}');
  return out;
}

/** Lines appended to the node's bird.conf (render-bird-node.ts) when the node runs IPv6. */
export function renderBirdNode6(
  v6: BirdConfigData6,
  asNumber: number,
  listenPort: number | undefined,
  opts: BirdRenderOptions = {},
): string[] {
  const out: string[] = [];
  out.push('# ============= IPv6 (confd: bird6.cfg, bird6_aggr.cfg, bird6_ipam.cfg) =============');
  if (v6.staticBlackholes.length) {
    out.push('protocol static static6 {');
    out.push('  ipv6;');
    out.push('  # IPv6 blocks for this host.');
    for (const cidr of v6.staticBlackholes) out.push(`  route ${cidr} blackhole;`);
    out.push('}');
  } else {
    out.push('# No IPv6 blocks or static routes for this host.');
  }
  out.push('');
  out.push('function reject_disabled_pools6 ()');
  out.push('{');
  for (const cidr of v6.rejectedExports) out.push(`  if ( net ~ ${cidr} ) then { reject; }`);
  out.push('}');
  out.push('');
  out.push('function calico_aggr6 ()');
  out.push('{');
  for (const cidr of v6.staticBlackholes) {
    out.push(`  # Block ${cidr} is implicitly confirmed.`);
    out.push(`  if ( net = ${cidr} ) then { accept; }`);
    out.push(`  if ( net ~ ${cidr} ) then { reject; }`);
  }
  out.push('}');
  out.push('');
  out.push('filter calico_export_to_bgp_peers6');
  out.push('{');
  out.push('  reject_disabled_pools6();');
  out.push('  calico_aggr6();');
  for (const cidr of v6.acceptedPools) out.push(`  if ( net ~ ${cidr} ) then { accept; }`);
  out.push('  reject;');
  out.push('}');
  out.push('');
  out.push('filter calico_import_from_bgp_peers6');
  out.push('{');
  out.push('  if ( net = ::/0 ) then { reject; }');
  out.push('  accept;');
  out.push('}');
  out.push('');
  out.push('protocol kernel kernel6 {');
  out.push('  learn;');
  out.push('  persist;');
  out.push('  scan time 2;');
  out.push('  graceful restart;');
  out.push('  merge paths on;');
  out.push('  ipv6 {');
  out.push('    import all;');
  out.push('    export filter calico_kernel_programming;');
  out.push('  };');
  out.push('}');
  out.push('');
  out.push('protocol direct direct6 {');
  out.push('  ipv6;');
  out.push('  interface -"cali*", "*"; # Exclude cali* but include everything else.');
  out.push('}');
  out.push('');
  out.push('template bgp bgp_template6 {');
  out.push('  description "Connection to BGP peer";');
  out.push(listenPort ? `  local port ${listenPort} as ${asNumber};` : `  local as ${asNumber};`);
  out.push('  multihop;');
  out.push('  graceful restart;');
  out.push('  connect delay time 0;  # Calico: 2; the lab BIRD connects at once');
  out.push('  connect retry time 5;');
  out.push('  error wait time 5,30;');
  out.push('  ipv6 {');
  out.push('    gateway recursive;');
  out.push('    import filter calico_import_from_bgp_peers6;');
  out.push('    export filter calico_export_to_bgp_peers6;');
  out.push('    add paths on;');
  out.push('  };');
  out.push('}');
  const groups: [BirdPeer['kind'], string, string][] = [
    [
      'mesh',
      '# ------------- IPv6 node-to-node mesh -------------',
      '# IPv6 node-to-node mesh disabled',
    ],
    [
      'global',
      '# ------------- IPv6 global peers -------------',
      '# No IPv6 global peers configured.',
    ],
    [
      'node',
      '# ------------- IPv6 node-specific peers -------------',
      '# No IPv6 node-specific peers configured.',
    ],
  ];
  for (const [kind, title, none] of groups) {
    out.push('');
    out.push(title);
    const peers = v6.peers.filter((p) => p.kind === kind);
    if (!peers.length) out.push(none);
    for (const p of peers) out.push(...peer6(p, asNumber, opts));
  }
  return out;
}
