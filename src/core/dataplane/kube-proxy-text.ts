// kube-proxy's rule data -> iptables text: the `iptables-restore` lines kube-proxy writes
// (kubernetes pkg/proxy/iptables/proxier.go), and the same rules as `iptables-save -t nat` prints
// them (header fields -s -d -p first, addresses with their /32, probabilities as the kernel keeps
// them), for display and diffs. Chain names as kube-proxy hashes them (portProtoHash,
// servicePortEndpointChainName): SHA-256 of the text, standard base32, first 16 characters.
import { createHash } from 'node:crypto';
import type { KubeAction, KubeMatch, KubeProxyNat, KubeRule } from './kube-proxy-types.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Go's base32.StdEncoding of the bytes (no padding needed for the 16 characters kept). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** portProtoHash(servicePortName, protocol): protocol lower case ("tcp"). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return base32(
    createHash('sha256')
      .update(servicePortName + protocol)
      .digest(),
  ).slice(0, 16);
}

export type ServiceChainKind = 'SVC' | 'SVL' | 'EXT' | 'FW';

export function serviceChainName(
  kind: ServiceChainKind,
  servicePortName: string,
  protocol: string,
): string {
  return `KUBE-${kind}-${portProtoHash(servicePortName, protocol)}`;
}

/** servicePortEndpointChainName: endpoint is "ip:port". */
export function endpointChainName(
  servicePortName: string,
  protocol: string,
  endpoint: string,
): string {
  return `KUBE-SEP-${portProtoHash(servicePortName, protocol + endpoint)}`;
}

function renderMatchRestore(m: KubeMatch): string {
  switch (m.kind) {
    case 'comment':
      return `-m comment --comment "${m.text}"`;
    case 'l4':
      return `-m ${m.proto} -p ${m.proto}`;
    case 'src':
      return `${m.negate ? '! ' : ''}-s ${m.cidr}`;
    case 'dst':
      return `${m.negate ? '! ' : ''}-d ${m.cidr}`;
    case 'dport':
      return `--dport ${m.port}`;
    case 'mark':
      return `-m mark ${m.negate ? '! ' : ''}--mark ${m.mark}`;
    case 'addrtype':
      return `-m addrtype --${m.dir}-type ${m.type}`;
    case 'statistic':
      return `-m statistic --mode random --probability ${m.probability}`;
    case 'recentSet':
      return `-m recent --name ${m.name} --set`;
    case 'recentCheck':
      return `-m recent --name ${m.name} --rcheck --seconds ${m.seconds} --reap`;
    case 'ctstate':
      return `-m conntrack ${m.negate ? '! ' : ''}--ctstate ${m.states.join(',')}`;
  }
}

function renderActionRestore(a: KubeAction): string {
  switch (a.kind) {
    case 'jump':
      return `-j ${a.target}`;
    case 'return':
      return '-j RETURN';
    case 'dnat':
      return `-j DNAT --to-destination ${a.to}`;
    case 'markOr':
      return `-j MARK --or-mark ${a.mark}`;
    case 'markXor':
      return `-j MARK --xor-mark ${a.mark}`;
    case 'masquerade':
      return `-j MASQUERADE${a.randomFully ? ' --random-fully' : ''}`;
    case 'reject':
      return '-j REJECT';
    case 'drop':
      return '-j DROP';
    case 'accept':
      return '-j ACCEPT';
  }
}

/** One rule as kube-proxy writes it to iptables-restore. */
export function renderKubeRestore(r: KubeRule): string {
  return ['-A', r.chain, ...r.match.map(renderMatchRestore), renderActionRestore(r.action)].join(
    ' ',
  );
}

const withPrefix = (cidr: string) => (cidr.includes('/') ? cidr : `${cidr}/32`);

/** The kernel's probability as iptables-save prints it (xt_statistic keeps it as a u32 of 2^31). */
export function savedProbability(p: string): string {
  return (Math.round(Number(p) * 0x80000000) / 0x80000000).toFixed(11);
}

/** "0x004000/0x004000" as the kernel prints it: "0x4000/0x4000". */
function hexMarks(text: string): string {
  return text
    .split('/')
    .map((x) => `0x${parseInt(x, 16).toString(16)}`)
    .join('/');
}

/** One rule as `iptables-save -t nat` prints it. */
export function renderKubeSave(r: KubeRule): string {
  const parts = ['-A', r.chain];
  for (const m of r.match)
    if (m.kind === 'src') parts.push(`${m.negate ? '! ' : ''}-s ${withPrefix(m.cidr)}`);
  for (const m of r.match)
    if (m.kind === 'dst') parts.push(`${m.negate ? '! ' : ''}-d ${withPrefix(m.cidr)}`);
  const l4 = r.match.find((m) => m.kind === 'l4');
  if (l4) parts.push(`-p ${l4.proto}`);
  const dport = r.match.find((m) => m.kind === 'dport');
  for (const m of r.match) {
    switch (m.kind) {
      case 'comment':
        parts.push(`-m comment --comment "${m.text}"`);
        break;
      case 'l4':
        parts.push(`-m ${m.proto}${dport ? ` --dport ${dport.port}` : ''}`);
        break;
      case 'mark':
        parts.push(`-m mark ${m.negate ? '! ' : ''}--mark ${hexMarks(m.mark)}`);
        break;
      case 'addrtype':
        parts.push(`-m addrtype --${m.dir}-type ${m.type}`);
        break;
      case 'statistic':
        parts.push(`-m statistic --mode random --probability ${savedProbability(m.probability)}`);
        break;
      case 'recentSet':
        parts.push(`-m recent --set --name ${m.name} --mask 255.255.255.255 --rsource`);
        break;
      case 'recentCheck':
        parts.push(
          `-m recent --rcheck --seconds ${m.seconds} --reap --name ${m.name} --mask 255.255.255.255 --rsource`,
        );
        break;
      case 'ctstate':
        parts.push(`-m conntrack ${m.negate ? '! ' : ''}--ctstate ${m.states.join(',')}`);
        break;
      default:
        break;
    }
  }
  const a = r.action;
  if (a.kind === 'markOr')
    parts.push(`-j MARK --set-xmark ${hexMarks(a.mark)}/${hexMarks(a.mark)}`);
  else if (a.kind === 'markXor') parts.push(`-j MARK --set-xmark ${hexMarks(a.mark)}/0x0`);
  else if (a.kind === 'reject') parts.push('-j REJECT --reject-with icmp-port-unreachable');
  else parts.push(renderActionRestore(a));
  return parts.join(' ');
}

/** iptables-restore parts: declarations, kube-proxy's chains' rules, its hooks. */
export function renderKubeRestoreParts(k: KubeProxyNat): {
  decl: string[];
  own: string[];
  hooks: string[];
} {
  return {
    decl: k.chains.map((c) => `:${c} - [0:0]`),
    own: k.rules.map(renderKubeRestore),
    hooks: k.hooks.map(renderKubeRestore),
  };
}

/** Save lines in the order iptables-save lists them: kernel chains' hooks, then each chain's rules by chain name. */
export function kubeSaveLines(k: KubeProxyNat): { hooks: string[]; rules: string[] } {
  const byChain = new Map<string, string[]>();
  for (const r of k.rules) {
    const list = byChain.get(r.chain) ?? [];
    list.push(renderKubeSave(r));
    byChain.set(r.chain, list);
  }
  const rules = [...byChain.keys()].sort().flatMap((c) => byChain.get(c)!);
  return { hooks: k.hooks.map(renderKubeSave), rules };
}

/**
 * kube-proxy's filter table (iptables mode) as `iptables-restore --noflush` parts: `*filter`
 * and its chains' declarations (which create or flush them), their rules, and its jumps from
 * INPUT/FORWARD/OUTPUT as `-I CHAIN 1` lines in reverse, so the chain lists them in order at the
 * top (kube-proxy prepends them; apply.sh then inserts Calico's hooks above).
 */
export function renderKubeFilterParts(f: NonNullable<KubeProxyNat['filter']>): {
  head: string;
  own: string;
  kern: string;
} {
  const lines = (l: string[]) => (l.length ? `${l.join('\n')}\n` : '');
  return {
    head: lines(['*filter', ...f.chains.map((c) => `:${c} - [0:0]`)]),
    own: lines(f.rules.map(renderKubeRestore)),
    kern: lines(
      [...f.hooks].reverse().map((r) => renderKubeRestore(r).replace(/^-A (\S+) /, '-I $1 1 ')),
    ),
  };
}

/** The filter table's kube-proxy lines as `iptables-save -t filter` prints them (display, tests). */
export function kubeFilterSaveLines(f: NonNullable<KubeProxyNat['filter']>): {
  hooks: string[];
  rules: string[];
} {
  return { hooks: f.hooks.map(renderKubeSave), rules: f.rules.map(renderKubeSave) };
}
