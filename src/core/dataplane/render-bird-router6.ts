// The lab router's IPv6 sessions (render-bird-router.ts for IPv4): one eBGP session per node
// whose BGPPeer points at the router's IPv6 address, importing the nodes' IPv6 blocks into the
// router's kernel table, so replies to pods' IPv6 addresses (no NAT66) find their way back.
import type { BirdRenderOptions, RouterBirdData } from './types.js';

export function renderBirdRouter6(
  data: RouterBirdData,
  v6: NonNullable<RouterBirdData['ipv6']>,
  opts: BirdRenderOptions = {},
): string[] {
  const out: string[] = [];
  out.push('# ============= IPv6 =============');
  out.push('protocol kernel kernel6 {');
  out.push('  persist;');
  out.push('  scan time 2;');
  out.push('  merge paths on;');
  out.push('  ipv6 {');
  out.push('    import none;');
  out.push('    export all;');
  out.push('  };');
  out.push('}');
  out.push('');
  out.push('filter lab_import_from_nodes6');
  out.push('{');
  out.push('  if ( net = ::/0 ) then { reject; }');
  out.push('  accept;');
  out.push('}');
  out.push('');
  out.push('template bgp node_template6 {');
  out.push(`  local as ${data.asNumber};`);
  out.push('  connect delay time 0;');
  out.push('  connect retry time 5;');
  out.push('  error wait time 5,30;');
  out.push('  ipv6 {');
  out.push('    import filter lab_import_from_nodes6;');
  out.push('    export none;');
  out.push('  };');
  out.push('}');
  if (!v6.sessions.length) {
    out.push('');
    out.push("# No BGPPeer points at the router's IPv6 address: no IPv6 sessions.");
  }
  for (const s of v6.sessions) {
    out.push('');
    out.push(`protocol bgp ${s.name} from node_template6 {`);
    if (opts.sessionsDisabled) out.push('  disabled;');
    out.push(`  description "${s.node}";`);
    out.push(`  neighbor ${s.neighbor} as ${s.neighborAs};`);
    out.push(`  source address ${v6.address};`);
    out.push('}');
  }
  return out;
}
