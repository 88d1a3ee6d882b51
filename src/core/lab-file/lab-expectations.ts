// What the lab expects to see on the wire: from a pod (or a host, inbound) to a pod, a host or an
// address, which source the destination sees and whether the reply comes back.
import type { LabExpectation, LabHost, LabPod, SeenAs } from '../model/lab.js';
import { parseIP } from '../net/cidr.js';
import type { FieldPath } from '../calico/field-error.js';
import type { LabContext } from './lab-context.js';
import { deniedExpectation } from './expect-denied.js';
import { DEFAULT_TCP_PORTS, DEFAULT_UDP_PORTS } from './lab-hosts.js';

export function buildExpectations(
  ctx: LabContext,
  pods: readonly LabPod[],
  hosts: readonly LabHost[],
  /** The lab's own `expect`: Service entries are left to lab-service-expect.ts. */
  opts: { serviceEntriesElsewhere?: boolean } = {},
): LabExpectation[] {
  const { spec } = ctx;
  const P = ctx.problem;
  const podNames = new Set(pods.map((p) => p.name));
  const hostByName = new Map(hosts.map((h) => [h.name, h]));
  const hostNames = new Set((spec.hosts ?? []).map((h) => h.name));
  const expect: LabExpectation[] = [];
  (spec.expect ?? []).forEach((x, i) => {
    const path: FieldPath = ['spec', 'expect', i];
    if (x.to.startsWith('service/')) {
      if (!opts.serviceEntriesElsewhere)
        P(
          [...path, 'to'],
          'entries through a Service (to: service/NAME) are supported in spec.expect only',
        );
      return; // Services' entries: lab-service-expect.ts
    }
    if (x.via !== undefined) P([...path, 'via'], 'via applies to `to: service/NAME` entries only');
    let ok = true;
    // Inbound (External connectivity over BGP): a host pings a pod; pods run no TCP/UDP servers.
    const inbound = hostNames.has(x.from) && !podNames.has(x.from);
    if (inbound) {
      if (!podNames.has(x.to)) {
        P([...path, 'to'], `from host ${x.from}, to must name a pod of this lab`);
        ok = false;
      }
      if ((x.protocol ?? 'icmp') !== 'icmp') {
        P([...path, 'protocol'], 'from a host only icmp is checked: pods run no TCP/UDP servers');
        ok = false;
      }
    } else if (!podNames.has(x.from)) {
      P(
        [...path, 'from'],
        `from: ${JSON.stringify(x.from)} is not a pod of this lab (pods: ${[...podNames].join(', ') || 'none'})`,
      );
      ok = false;
    }
    const toIP = parseIP(x.to);
    // ipVersion 6: the flow runs over IPv6 (lab-ipv6.ts gave hosts their IPv6 side).
    const v6 = x.ipVersion === 6;
    const family = v6 ? 'ipv6' : 'ipv4';
    if (v6) {
      const host = hostByName.get(x.to) ?? hostByName.get(x.from);
      if (host && !host.ipv6) {
        P([...path, 'ipVersion'], `host ${host.name} has no IPv6 address (ipv6Address)`);
        ok = false;
      }
      if (!spec.fabric?.ipv6Cidr) {
        P([...path, 'ipVersion'], 'ipVersion 6 needs an IPv6 lab: set spec.fabric.ipv6Cidr');
        ok = false;
      }
    }
    if (!podNames.has(x.to) && !hostNames.has(x.to)) {
      if (toIP && toIP.kind() !== family && !v6 && x.ipVersion === undefined) {
        P(
          [...path, 'to'],
          `to: ${x.to} is an IPv6 address: add ipVersion: 6 to check the flow over IPv6`,
        );
        ok = false;
      } else if (!toIP || toIP.kind() !== family) {
        P(
          [...path, 'to'],
          `to: ${JSON.stringify(x.to)} is neither a pod, a host of this lab nor an ${v6 ? 'IPv6' : 'IPv4'} address`,
        );
        ok = false;
      }
    }
    const protocol = x.protocol ?? 'icmp';
    let port: number | undefined;
    if (protocol === 'icmp') {
      if (x.port !== undefined) {
        P([...path, 'port'], 'port applies to tcp and udp only (protocol is icmp)');
        ok = false;
      }
    } else {
      const host = hostByName.get(x.to);
      const listening = host ? (protocol === 'tcp' ? host.tcpPorts : host.udpPorts) : undefined;
      port =
        x.port ??
        listening?.[0] ??
        (protocol === 'tcp' ? DEFAULT_TCP_PORTS[0] : DEFAULT_UDP_PORTS[0]);
      if (host && listening && x.port !== undefined && !listening.includes(x.port)) {
        P(
          [...path, 'port'],
          `host ${host.name} does not listen on ${protocol}/${x.port} (${protocol}Ports: ${listening.join(', ') || 'none'})`,
        );
        ok = false;
      }
    }
    let seenAs: SeenAs | undefined;
    // A denied flow (allowed: false) reaches no destination: seenAs is not checked and the
    // reply cannot come back (see expect-denied.ts).
    const denied = deniedExpectation(x, path, P);
    if (denied === 'bad') ok = false;
    if (denied !== undefined) seenAs = 'pod';
    else if (x.seenAs === undefined || x.reply === undefined) {
      P(path, `${x.seenAs === undefined ? 'seenAs' : 'reply'} is required (unless allowed: false)`);
      ok = false;
    } else if (x.seenAs === 'node' || x.seenAs === 'pod') seenAs = x.seenAs;
    else {
      const ip = parseIP(x.seenAs);
      if (ip && ip.kind() === family) seenAs = { address: ip.toString() };
      else {
        P(
          [...path, 'seenAs'],
          `seenAs must be "node", "pod" or an ${v6 ? 'IPv6' : 'IPv4'} address, got ${JSON.stringify(x.seenAs)}`,
        );
        ok = false;
      }
    }
    if (!ok || seenAs === undefined) return;
    const e: LabExpectation = {
      from: x.from,
      to: toIP && !podNames.has(x.to) && !hostNames.has(x.to) ? toIP.toString() : x.to,
      protocol,
      seenAs,
      reply: x.reply ?? false,
    };
    if (denied !== undefined) e.allowed = false;
    if (port !== undefined) e.port = port;
    if (v6) e.ipVersion = 6;
    expect.push(e);
  });

  return expect;
}
