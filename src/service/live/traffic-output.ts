// Traffic generators inside a pod, and the parsing of what they print. Pure, but for
// reading the constant loop (traffic-loop.sh) once when loaded.
//
// Two generators:
// - one flow (ICMP, the default): `ping -n -O -i IV [-c N] -W 1 DEST`, one ICMP id for the run
//   (a single conntrack entry, as a user's ping). Lines: "64 bytes from …: icmp_seq=N …",
//   "no answer yet for icmp_seq=N" (-O), "From … icmp_seq=N Destination Host Unreachable".
// - a new flow per probe (ICMP `ping -c 1`, TCP/UDP `nc` to the host's echo server): a
//   constant shell loop, parameters as positional arguments (never spliced into the script),
//   printing "sent N", then "ok N [seen ADDR]" or "fail N" when the probe ends. Probes run in
//   the background so the send rate holds when replies stop coming.
import { parseIP } from '../../core/net/cidr.js';
import { readScript } from '../../runtime/util/script-file.js';

/** `sh -c TRAFFIC_LOOP egress-lab-traffic PROTO DEST PORT INTERVAL_MS COUNT` (COUNT 0: until stopped). */
export const TRAFFIC_LOOP = readScript('./traffic-loop.sh', import.meta.url);

export function intervalSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** `waitS`: how long ping waits for the last reply (and counts late ones) before it exits. */
export function pingArgv(address: string, intervalMs: number, count?: number, waitS = 1): string[] {
  const argv = ['ping', '-n', '-O', '-W', String(waitS), '-i', intervalSeconds(intervalMs)];
  if (count !== undefined) argv.push('-c', String(count));
  argv.push('--', address);
  return argv;
}

export function loopArgv(
  proto: 'icmp' | 'tcp' | 'udp',
  address: string,
  port: number,
  intervalMs: number,
  count?: number,
): string[] {
  return [
    'sh',
    '-c',
    TRAFFIC_LOOP,
    'egress-lab-traffic',
    proto,
    address,
    String(port),
    String(Math.round(intervalMs)),
    String(count ?? 0),
  ];
}

/** Running tallies a generator's output updates. */
export interface Tally {
  sent: number;
  received: number;
  lastReplyAt?: number;
  lastSeen?: string;
  /** ping's own summary, when it printed one: the exact counts. */
  final?: { sent: number; received: number };
}

/** Folds one line of either generator into the tally; returns whether anything changed. */
export function foldTrafficLine(t: Tally, line: string, now: number): boolean {
  // The peer: a name or IPv4 address, or an IPv6 address (colons of its own).
  let m = /^\d+ bytes from (?:[^:]+|\S+): icmp_seq=(\d+)/.exec(line);
  if (m) {
    t.received++;
    t.sent = Math.max(t.sent, Number(m[1]));
    t.lastReplyAt = now;
    return true;
  }
  m = /^no answer yet for icmp_seq=(\d+)/.exec(line) ?? /^From \S+ icmp_seq=(\d+) /.exec(line);
  if (m) {
    t.sent = Math.max(t.sent, Number(m[1]));
    return true;
  }
  m = /^(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(line);
  if (m) {
    t.final = { sent: Number(m[1]), received: Number(m[2]) };
    t.sent = t.final.sent;
    t.received = t.final.received;
    return true;
  }
  m = /^sent (\d+)$/.exec(line);
  if (m) {
    t.sent = Math.max(t.sent, Number(m[1]));
    return true;
  }
  m = /^ok (\d+)(?: (\S+))?$/.exec(line);
  if (m) {
    t.received++;
    t.lastReplyAt = now;
    if (m[2]) t.lastSeen = seenAddress(m[2]);
    return true;
  }
  return false;
}

/**
 * The echo server's `seen` address as the lab writes addresses: socat gives an IPv6 peer in
 * brackets and fully expanded ("[2001:0db8:0030:…:0011]"), which becomes "2001:db8:30::11".
 */
export function seenAddress(text: string): string {
  const m = /^\[([0-9a-fA-F:.]+)\]$/.exec(text);
  if (!m) return text;
  const ip = parseIP(m[1]!);
  return ip ? ip.toString() : text;
}
