// The IPv6 side of a lab plan (dual-stack), added over the IPv4 plan planLab builds; an IPv4 lab's
// plan comes back unchanged. What Calico's CNI does for a pod with an IPv6 address
// (cni-plugin/pkg/dataplane/linux/dataplane_linux.go):
// - the pod's eth0 gets the address as /128 and DAD off (disableDAD: "we don't need it because
//   it's a point-to-point link"); IPv6 enabled in the pod (disable_ipv6=0 for all/default/lo);
// - its default route goes via the host side's link-local address, which is fixed because the
//   host side's MAC is ee:ee:ee:ee:ee:ee: fe80::ecee:eeff:feee:eeee (hostSideMACAsIPv6LL);
// - the host side (configureSysctls): accept_dad=0, disable_ipv6=0, proxy_ndp=1, forwarding=1,
//   accept_ra=0; the node routes `<pod>/128 dev cali…` (node-dataplane6.ts).
// The lab's own network: the router's br0 and the host segments get their IPv6 addresses, hosts
// route ::/0 via their IPv6 gateway, nodes via the router's IPv6 address, and every container
// of an IPv6 lab runs with DAD off so addresses are usable at once (the lab's choice, for speed:
// a real fabric would run DAD, which only delays the first packets).
import type { Lab } from '../model/lab.js';
import type { ContainerPlan, LabPlan, RouteSpec } from './types.js';
import { fabricPrefix6 } from './node-dataplane6.js';

/** The host side of a pod veth as the pod sees it: the link-local address of MAC ee:ee:ee:ee:ee:ee. */
export const POD_GATEWAY6 = 'fe80::ecee:eeff:feee:eeee';

export function labRunsIpv6(lab: Lab): boolean {
  return lab.fabric.ipv6Cidr !== undefined;
}

const IPV6_ON = {
  'net.ipv6.conf.all.disable_ipv6': '0',
  'net.ipv6.conf.default.disable_ipv6': '0',
  'net.ipv6.conf.all.accept_dad': '0',
  'net.ipv6.conf.default.accept_dad': '0',
};
const FORWARDING6 = { 'net.ipv6.conf.all.forwarding': '1' };

export function addIpv6(plan: LabPlan): LabPlan {
  const { lab, ipam } = plan;
  if (!labRunsIpv6(lab)) return plan;
  const byPod = new Map(ipam.assignments.map((a) => [a.pod, a]));
  const hosts = new Map(lab.hosts.map((h) => [h.name, h]));
  const containers = plan.containers.map((c): ContainerPlan => {
    switch (c.role) {
      case 'router': {
        const prefix = fabricPrefix6(lab);
        const segmentOf = new Map<string, string>();
        // The router's segment ports carry the hosts' gateways: find each by its IPv4 gateway.
        for (const h of lab.hosts)
          if (h.ipv6)
            segmentOf.set(
              `${h.gateway}/${h.prefixLength}`,
              `${h.ipv6.gateway}/${h.ipv6.prefixLength}`,
            );
        return {
          ...c,
          sysctls: { ...c.sysctls, ...IPV6_ON, ...FORWARDING6 },
          interfaces: c.interfaces.map((i, n) => {
            if (n === 0 && lab.router.ipv6Address)
              return { ...i, addresses: [...i.addresses, `${lab.router.ipv6Address}/${prefix}`] };
            const v6 = i.addresses[0] ? segmentOf.get(i.addresses[0]) : undefined;
            return v6 ? { ...i, addresses: [...i.addresses, v6] } : i;
          }),
        };
      }
      case 'node': {
        const withV6 = new Set(
          ipam.assignments.filter((a) => a.node === c.name && a.ipv6).map((a) => a.hostIfname),
        );
        return {
          ...c,
          sysctls: { ...c.sysctls, ...IPV6_ON, ...FORWARDING6 },
          interfaces: c.interfaces.map((i) =>
            withV6.has(i.ifname)
              ? {
                  ...i,
                  sysctls: {
                    ...i.sysctls,
                    [`net.ipv6.conf.${i.ifname}.accept_dad`]: '0',
                    [`net.ipv6.conf.${i.ifname}.disable_ipv6`]: '0',
                    [`net.ipv6.conf.${i.ifname}.proxy_ndp`]: '1',
                    [`net.ipv6.conf.${i.ifname}.forwarding`]: '1',
                    [`net.ipv6.conf.${i.ifname}.accept_ra`]: '0',
                  },
                }
              : i,
          ),
        };
      }
      case 'tor': // IPv4 only: tor-checks.ts refuses ToRs in an IPv6 lab
        return c;
      case 'pod': {
        const a = byPod.get(c.name);
        if (!a?.ipv6) return c;
        const routes: RouteSpec[] = [...c.routes, { dst: '::/0', via: POD_GATEWAY6, dev: 'eth0' }];
        return {
          ...c,
          sysctls: { ...c.sysctls, ...IPV6_ON, 'net.ipv6.conf.lo.disable_ipv6': '0' },
          interfaces: c.interfaces.map((i) =>
            i.ifname === 'eth0'
              ? {
                  ...i,
                  addresses: [...i.addresses, `${a.ipv6!.address}/128`],
                  sysctls: { ...i.sysctls, 'net.ipv6.conf.eth0.accept_dad': '0' },
                }
              : i,
          ),
          routes,
        };
      }
      case 'host': {
        const h = hosts.get(c.name);
        if (!h?.ipv6) return c;
        return {
          ...c,
          sysctls: { ...c.sysctls, ...IPV6_ON },
          interfaces: c.interfaces.map((i) =>
            i.ifname === 'eth0'
              ? { ...i, addresses: [...i.addresses, `${h.ipv6!.address}/${h.ipv6!.prefixLength}`] }
              : i,
          ),
          routes: [...c.routes, { dst: '::/0', via: h.ipv6.gateway, dev: 'eth0' }],
          services: [
            ...c.services,
            ...h.tcpPorts.map((port) => ({ kind: 'tcp6-echo' as const, port })),
            ...h.udpPorts.map((port) => ({ kind: 'udp6-echo' as const, port })),
          ],
        };
      }
    }
  });
  return { ...plan, containers };
}
