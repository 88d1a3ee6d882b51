// `status` as a table a person reads: one row per container, BGP sessions inline.
import type { LabStatus } from '../../service/api.js';

export function formatStatus(lab: LabStatus): string {
  const rows = [['CONTAINER', 'ROLE', 'STATE', 'ADDRESSES', 'BGP']];
  const order = { router: 0, tor: 0.5, node: 1, pod: 2, host: 3 } as const;
  const containers = [...lab.containers].sort(
    (a, b) => order[a.role] - order[b.role] || a.name.localeCompare(b.name),
  );
  for (const c of containers) {
    const addrs = c.addresses
      .filter((a) => a.ifname !== 'lo')
      .map((a) => `${a.ifname}=${a.address}`)
      .join(' ');
    const bgp = (c.bgp ?? []).map((b) => `${b.neighbor || b.peer}:${b.state}`).join(' ');
    rows.push([c.name, c.role + (c.node ? `@${c.node}` : ''), c.state, addrs || '-', bgp || '-']);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows
    .map((r) =>
      r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '),
    )
    .join('\n');
  const pools = lab.pools
    .map((p) => `  ${p.name} ${p.cidr} natOutgoing=${p.natOutgoing} disabled=${p.disabled}`)
    .join('\n');
  return `lab ${lab.name}${lab.running ? '' : ' (not all containers running)'}\n${table}\n${pools ? `pools:\n${pools}\n` : ''}`;
}
