// BIRD's side of encapsulation, after confd's bird_ipam.cfg.template (v3.30.7), in BIRD 2:
// - calico_kernel_programming: routes inside a VXLAN pool are rejected ("Don't program VXLAN
//   routes into the kernel - these are handled by Felix"). Calico's BIRD fork sets
//   `krt_tunnel = "tunl0"` for IPIP pools (for CrossSubnet only when the BGP next hop is off the
//   node's subnet); BIRD 2 has no krt_tunnel, so the lab installs those same routes itself
//   (plan/encap.ts) and rejects the pool here, saying so in the config;
// - reject_tunnel_routes: routes through a Calico tunnel device (`*.cali`, `*.calico`) are
//   not exported to other nodes (BIRD 2: ifname is always set, so no `defined()` test).
import type { BirdConfigData } from './types.js';

/** Lines for the start of calico_kernel_programming; none without encapsulation. */
export function kernelPoolLines(bird: BirdConfigData): string[] {
  const out: string[] = [];
  for (const p of bird.kernelPools ?? []) {
    if (p.mode === 'vxlan') {
      out.push(`  if ( net ~ ${p.cidr} ) then {`);
      out.push("    # Don't program VXLAN routes into the kernel - these are handled by Felix.");
      out.push('    reject;');
      out.push('  }');
    } else if (p.mode === 'ipip' || p.mode === 'ipip-cross-subnet') {
      out.push(`  if ( net ~ ${p.cidr} ) then {`);
      if (p.mode === 'ipip-cross-subnet')
        out.push(
          `    # Calico: if defined(bgp_next_hop) && ( bgp_next_hop ~ ${bird.network ?? ''} ) then krt_tunnel = ""; else krt_tunnel = "tunl0";`,
        );
      else out.push('    # Calico: krt_tunnel = "tunl0";');
      out.push(
        '    # BIRD 2 has no krt_tunnel: egress-lab installs these routes itself, the same ones.',
      );
      out.push('    reject;');
      out.push('  }');
    }
  }
  return out;
}

/** The reject_tunnel_routes function, when the node has tunnels. */
export function rejectTunnelRoutesFunction(bird: BirdConfigData): string[] {
  if (!bird.kernelPools) return [];
  return [
    'function reject_tunnel_routes ()',
    '{',
    "  # Don't export tunnel routes to other nodes, Felix programs them.",
    '  if ((ifname ~ "*.cali") || (ifname ~ "*.calico")) then { reject; }',
    '}',
    '',
  ];
}
