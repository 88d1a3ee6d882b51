// apply.sh's input files for the perimeter firewall (router) and Calico Enterprise egress
// gateways (nodes, gateway pods). Absent files tell apply.sh to remove what an earlier apply
// set up (it remembers that in /run/egress-lab).
import {
  renderEgressNatRestore,
  renderEgressRouting,
  renderFirewallRestore,
} from '../../core/dataplane/render-perimeter.js';
import type { ContainerPlan } from '../../core/plan/types.js';
import type { TarFile } from '../engine/tar.js';

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

export function perimeterFiles(c: ContainerPlan): TarFile[] {
  const files: TarFile[] = [];
  if (c.firewall) {
    if (!IFNAME.test(c.firewall.inInterface))
      throw new Error(`bad firewall interface ${c.firewall.inInterface}`);
    files.push(
      { name: 'fw.rules', content: renderFirewallRestore(c.firewall) },
      { name: 'fw.in', content: `${c.firewall.inInterface}\n` },
    );
  }
  if (c.egress) {
    const tables = c.egress.tables.map((t) => t.id);
    if (!tables.every((t) => Number.isInteger(t) && t > 0 && t < 253))
      throw new Error(`bad egress table ids ${tables.join(',')}`);
    files.push(
      { name: 'egw.ip', content: renderEgressRouting(c.egress) },
      { name: 'egw.nat', content: renderEgressNatRestore(c.egress) },
      { name: 'egw.tables', content: tables.map((t) => `${t}\n`).join('') },
    );
  }
  return files;
}
