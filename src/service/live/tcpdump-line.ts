// Parses one line of `tcpdump -n -l` text output (tcpdump 4.99) into fields, keeping
// the raw line. Two link layouts occur: on `-i any` (LINUX_SLL2) a line carries the
// interface and direction ("12:00:00.123456 eth0  In  IP …"); on one interface it
// does not ("12:00:00.123456 IP …"). Anything not understood keeps just time and raw.
import type { PacketEvent } from '../api.js';

export type ParsedPacket = Omit<PacketEvent, 'captureId'>;

const TIME = /^(\d{2}:\d{2}:\d{2}\.\d{6})\s+/;
// "eth0  In  " / "v1    B   " / "cali0761ccbeace Out ": interface, then direction.
const LINK = /^(\S+)\s+(In|Out|B|M|P)\s+/;
const IPV4_PORT = /^(\d{1,3}(?:\.\d{1,3}){3})(?:\.(\d{1,5}))?$/;

/** "172.30.0.11.64297" → address and port; "172.30.0.11" → address only; IPv6 "fe80::1.546" too. */
export function splitEndpoint(text: string): { address: string; port?: number } {
  const m = IPV4_PORT.exec(text);
  if (m) return m[2] !== undefined ? { address: m[1]!, port: Number(m[2]) } : { address: m[1]! };
  if (text.includes(':')) {
    const dot = text.lastIndexOf('.');
    if (dot > 0 && /^\d{1,5}$/.test(text.slice(dot + 1)))
      return { address: text.slice(0, dot), port: Number(text.slice(dot + 1)) };
  }
  return { address: text };
}

function lastLength(text: string): number | undefined {
  const all = [...text.matchAll(/\blength (\d+)/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}

function parseIp(body: string, family: 'IP' | 'IP6', out: ParsedPacket): void {
  // "<src> > <dst>: <rest>"
  const m = /^(\S+) > (\S+?): (.*)$/.exec(body);
  if (!m) {
    out.protocol = family;
    return;
  }
  const src = splitEndpoint(m[1]!);
  const dst = splitEndpoint(m[2]!);
  const rest = m[3]!;
  out.src = src.address;
  out.dst = dst.address;
  if (src.port !== undefined) out.sport = src.port;
  if (dst.port !== undefined) out.dport = dst.port;
  const len = lastLength(rest);
  if (len !== undefined) out.length = len;
  const icmp = /^ICMP6?,? (.*)$/.exec(rest);
  if (icmp) {
    out.protocol = family === 'IP6' ? 'ICMP6' : 'ICMP';
    const detail = icmp[1]!;
    out.icmpType = detail.split(',')[0]!.trim();
    const id = /\bid (\d+), seq (\d+)/.exec(detail);
    if (id) {
      out.icmpId = Number(id[1]);
      out.icmpSeq = Number(id[2]);
    }
    return;
  }
  const flags = /^Flags \[([^\]]*)\]/.exec(rest);
  if (flags) {
    out.protocol = 'TCP';
    out.tcpFlags = flags[1]!;
    return;
  }
  if (/^UDP\b/.test(rest)) {
    out.protocol = 'UDP';
    return;
  }
  if (/^ip-proto-\d+/.test(rest)) {
    // A later IP fragment: tcpdump cannot see the transport header.
    out.protocol = family;
    out.fragment = true;
    return;
  }
  // Ports but a decoded application protocol (domain, BGP over TCP has Flags, …): UDP or unknown.
  out.protocol = src.port !== undefined && dst.port !== undefined ? 'UDP' : family;
}

export function parseTcpdumpLine(raw: string): ParsedPacket {
  const out: ParsedPacket = { raw };
  let rest = raw;
  const t = TIME.exec(rest);
  if (!t) return out;
  out.time = t[1]!;
  rest = rest.slice(t[0].length);
  // On `-i any` the interface and direction come first; never mistake "IP"/"ARP" for them.
  const link = LINK.exec(rest);
  if (link && !/^(IP6?|ARP,)$/.test(link[1]!)) {
    out.iface = link[1]!;
    out.direction = link[2]!;
    rest = rest.slice(link[0].length);
  }
  if (rest.startsWith('IP ')) parseIp(rest.slice(3), 'IP', out);
  else if (rest.startsWith('IP6 ')) parseIp(rest.slice(4), 'IP6', out);
  else if (rest.startsWith('ARP, ')) {
    out.protocol = 'ARP';
    const req = /^ARP, Request who-has (\S+) tell (\S+?),/.exec(rest);
    const rep = /^ARP, Reply (\S+) is-at (\S+?),/.exec(rest);
    if (req) {
      out.src = req[2]!;
      out.dst = req[1]!;
      out.arp = 'request';
    } else if (rep) {
      out.src = rep[1]!;
      out.arp = 'reply';
    }
    const len = lastLength(rest);
    if (len !== undefined) out.length = len;
  } else {
    const word = /^([A-Za-z0-9-]+)/.exec(rest);
    if (word) out.protocol = word[1]!;
  }
  return out;
}
