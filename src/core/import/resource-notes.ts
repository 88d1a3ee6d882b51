// Import step: what the lab cannot show as the customer sees it, from FelixConfiguration and
// BGPConfiguration: reported, and the Calico version the resources need.
import type { ImportContext } from './context.js';

export function noteFelixConfigurations(ctx: ImportContext): void {
  const { report } = ctx;
  for (const f of ctx.resources.felixConfigurations) {
    if (f.spec.natOutgoingExclusions !== undefined) ctx.calicoVersion = 'v3.31';
    const filter = f.spec.iptablesNATOutgoingInterfaceFilter;
    if (
      filter &&
      !(filter === 'eth0' || (filter.endsWith('+') && 'eth0'.startsWith(filter.slice(0, -1))))
    )
      report.push(
        `FelixConfiguration(${f.name}) iptablesNATOutgoingInterfaceFilter "${filter}" does not match the lab's eth0: no pod traffic is NATed (rename your pattern to see NAT)`,
      );
    const addr = f.spec.natOutgoingAddress;
    if (addr)
      report.push(
        `FelixConfiguration(${f.name}) natOutgoingAddress ${addr} is no lab node's address: explain and the capture show it, and replies are lost (give a node that address in extraAddresses to see it work)`,
      );
  }
  if (ctx.calicoVersion) report.push('natOutgoingExclusions is set: the lab runs as Calico v3.31');
}

/** The lab models only the BGPConfiguration named "default": the others are left out. */
export function dropOtherBgpConfigurations(ctx: ImportContext): void {
  for (const c of ctx.resources.bgpConfigurations.filter((x) => x.name !== 'default')) {
    ctx.droppedConfigs.add(`BGPConfiguration/${c.name}`);
    ctx.report.push(`BGPConfiguration(${c.name}) left out: the lab models only "default"`);
  }
}
