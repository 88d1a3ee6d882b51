// Table `ip kube-proxy` (kube-proxy-nft-types.ts) as nft text: the rule words knftables hands
// to nft for kube-proxy (kubernetes pkg/proxy/nftables/proxier.go), laid out as one table block.
// The apply takes the block after `add table` + `delete table` in the same `nft -f`: the table
// is replaced whole in one transaction (kube-proxy's own full sync flushes and rewrites every
// chain, set and map it owns; the end state is the same). `nft list table ip kube-proxy`
// prints the same block in its own spelling; normaliseKubeProxyNft makes the two comparable.
import type {
  KpAction,
  KpBaseHook,
  KpMap,
  KpMatch,
  KpRule,
  KpSet,
  KubeProxyNft,
} from './kube-proxy-nft-types.js';

export const KP_NFT_FAMILY = 'ip';
export const KP_NFT_TABLE_NAME = 'kube-proxy';

// Chain, set and map names kube-proxy makes: letters, digits and [_./-] (its Service and
// endpoint chains hold '/'; nft takes them unquoted).
const NAME = /^[A-Za-z][A-Za-z0-9_./-]{0,255}$/;
const ADDR = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;
const MARK = /^0x[0-9a-f]+$/;
const COMMENT = /^[A-Za-z0-9 _./:@,()-]{0,128}$/;

function n(name: string): string {
  if (!NAME.test(name)) throw new Error(`bad kube-proxy nft name "${name}"`);
  return name;
}
function a(addr: string): string {
  if (!ADDR.test(addr)) throw new Error(`bad address "${addr}"`);
  return addr;
}
function c(text: string): string {
  if (!COMMENT.test(text)) throw new Error(`bad comment "${text}"`);
  return `"${text}"`;
}
function m(mark: string): string {
  if (!MARK.test(mark)) throw new Error(`bad mark "${mark}"`);
  return mark;
}

export function renderKpMatch(x: KpMatch): string {
  switch (x.kind) {
    case 'ctNew':
      return 'ct state new';
    case 'addr':
      return `ip ${x.dir} ${x.negate ? '!= ' : ''}${a(x.cidr)}`;
    case 'addrIn':
      return `ip ${x.dir} { ${x.cidrs.map(a).join(', ')} }`;
    case 'addrSet':
      return `ip ${x.dir} @${n(x.set)}`;
    case 'dport':
      return `${x.proto} dport ${x.port}`;
    case 'fibSaddrLocal':
      return 'fib saddr type local';
    case 'markUnset':
      return `mark and ${m(x.mark)} == 0`;
  }
}

const VMAP_KEY = { ip: 'ip daddr . meta l4proto . th dport', port: 'meta l4proto . th dport' };

export function renderKpAction(x: KpAction): string {
  switch (x.kind) {
    case 'jump':
    case 'goto':
      return `${x.kind} ${n(x.target)}`;
    case 'vmap':
      return `${VMAP_KEY[x.key]} vmap @${n(x.map)}`;
    case 'numgen':
      return `numgen random mod ${x.targets.length} vmap { ${x.targets.map((t, i) => `${i} : goto ${n(t)}`).join(' , ')} }`;
    case 'markOr':
      return `mark set mark or ${m(x.mark)}`;
    case 'markXor':
      return `mark set mark xor ${m(x.mark)}`;
    case 'masquerade':
      return 'masquerade fully-random';
    case 'return':
    case 'reject':
    case 'drop':
      return x.kind;
    case 'dnat': {
      if (!/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(x.to)) throw new Error(`bad dnat "${x.to}"`);
      return `meta l4proto ${x.proto} dnat to ${x.to}`;
    }
    case 'updateAffinity':
      return `update @${n(x.set)} { ip saddr }`;
  }
}

/** One rule as knftables.Concat joins kube-proxy's words (its comment last). */
export function renderKpRule(r: KpRule): string {
  const text = [...r.match.map(renderKpMatch), renderKpAction(r.action)].join(' ');
  return r.comment === undefined ? text : `${text} comment ${c(r.comment)}`;
}

export function renderKpHook(b: KpBaseHook): string {
  return `type ${b.type} hook ${b.hook} priority ${b.priority}; policy accept;`;
}

function renderSet(s: KpSet): string[] {
  const lines = [`\tset ${n(s.name)} {`, '\t\ttype ipv4_addr'];
  if (s.timeoutSeconds !== undefined)
    lines.push('\t\tflags dynamic,timeout', `\t\ttimeout ${s.timeoutSeconds}s`);
  if (s.comment !== undefined) lines.push(`\t\tcomment ${c(s.comment)}`);
  if (s.elements.length) lines.push(`\t\telements = { ${s.elements.map(a).join(', ')} }`);
  lines.push('\t}');
  return lines;
}

const MAP_TYPE = {
  ip: 'ipv4_addr . inet_proto . inet_service : verdict',
  port: 'inet_proto . inet_service : verdict',
};

function renderElementKey(key: readonly string[]): string {
  return key
    .map((k) => {
      if (!/^([0-9.]+|tcp|udp)$/.test(k)) throw new Error(`bad element key "${k}"`);
      return k;
    })
    .join(' . ');
}

function renderMap(x: KpMap): string[] {
  const lines = [
    `\tmap ${n(x.name)} {`,
    `\t\ttype ${MAP_TYPE[x.key]}`,
    `\t\tcomment ${c(x.comment)}`,
  ];
  if (x.elements.length) {
    const els = x.elements.map((e) => {
      const key = renderElementKey(e.key);
      const comment = e.comment === undefined ? '' : ` comment ${c(e.comment)}`;
      const verdict = e.verdict.kind === 'drop' ? 'drop' : `goto ${n(e.verdict.target)}`;
      return `${key}${comment} : ${verdict}`;
    });
    lines.push(`\t\telements = { ${els.join(',\n\t\t\t     ')} }`);
  }
  lines.push('\t}');
  return lines;
}

/** The table as one `table ip kube-proxy { … }` block. */
export function renderKubeProxyNftTable(t: KubeProxyNft): string {
  const lines = [
    `table ${KP_NFT_FAMILY} ${KP_NFT_TABLE_NAME} {`,
    `\tcomment "rules for kube-proxy"`,
  ];
  for (const s of t.sets) lines.push(...renderSet(s));
  for (const x of t.maps) lines.push(...renderMap(x));
  for (const ch of t.chains) {
    lines.push(`\tchain ${n(ch.name)} {`);
    if (ch.comment !== undefined) lines.push(`\t\tcomment ${c(ch.comment)}`);
    if (ch.base) lines.push(`\t\t${renderKpHook(ch.base)}`);
    for (const r of ch.rules) lines.push(`\t\t${renderKpRule(r)}`);
    lines.push('\t}');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** `nft -f` input that replaces the table whole, in one transaction. */
export function renderKubeProxyNftApply(t: KubeProxyNft): string {
  return `add table ${KP_NFT_FAMILY} ${KP_NFT_TABLE_NAME}\ndelete table ${KP_NFT_FAMILY} ${KP_NFT_TABLE_NAME}\n${renderKubeProxyNftTable(t)}`;
}

// --- The same table as `nft list table ip kube-proxy` prints it (nft 1.0's spelling). ---

/** nft's priority: symbolic around the hook's standard one (dstnat in prerouting, srcnat in postrouting). */
function listPriority(b: KpBaseHook): string {
  const named =
    b.hook === 'prerouting'
      ? { name: 'dstnat', at: -100 }
      : b.hook === 'postrouting'
        ? { name: 'srcnat', at: 100 }
        : undefined;
  if (b.type === 'filter' && b.priority === 0) return 'filter';
  if (!named) return String(b.priority);
  const d = b.priority - named.at;
  return d === 0 ? named.name : `${named.name} ${d < 0 ? '-' : '+'} ${Math.abs(d)}`;
}

/** A mark as nft lists it: 0x followed by 8 hex digits. */
const mark8 = (x: string) => `0x${parseInt(m(x), 16).toString(16).padStart(8, '0')}`;

/** nft's time: 10800 -> "3h", 90 -> "1m30s". */
export function nftDuration(seconds: number): string {
  const parts: string[] = [];
  let s = seconds;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s || !parts.length) parts.push(`${s}s`);
  return parts.join('');
}

function listMatch(x: KpMatch): string {
  if (x.kind === 'addrIn' && x.cidrs.length === 1) return `ip ${x.dir} ${a(x.cidrs[0]!)}`;
  if (x.kind === 'markUnset') return `meta mark & ${mark8(x.mark)} == 0x00000000`;
  return renderKpMatch(x);
}

function listAction(x: KpAction): string {
  if (x.kind === 'markOr') return `meta mark set meta mark | ${mark8(x.mark)}`;
  if (x.kind === 'markXor') return `meta mark set meta mark ^ ${mark8(x.mark)}`;
  if (x.kind === 'numgen')
    return `numgen random mod ${x.targets.length} vmap { ${x.targets.map((t, i) => `${i} : goto ${n(t)}`).join(', ')} }`;
  return renderKpAction(x);
}

export function listKpRule(r: KpRule): string {
  const text = [...r.match.map(listMatch), listAction(r.action)].join(' ');
  return r.comment === undefined ? text : `${text} comment ${c(r.comment)}`;
}

/** The table as `nft list table ip kube-proxy` prints it (set and map elements in our order). */
export function renderKubeProxyNftList(t: KubeProxyNft): string {
  const lines = [`table ${KP_NFT_FAMILY} ${KP_NFT_TABLE_NAME} {`, `	comment "rules for kube-proxy"`];
  const blocks: string[][] = [];
  for (const s of t.sets) {
    const b = [`	set ${n(s.name)} {`, '		type ipv4_addr'];
    if (s.timeoutSeconds !== undefined)
      b.push('		size 65535', '		flags dynamic,timeout', `		timeout ${nftDuration(s.timeoutSeconds)}`);
    if (s.comment !== undefined) b.push(`		comment ${c(s.comment)}`);
    if (s.elements.length) b.push(`		elements = { ${s.elements.map(a).join(', ')} }`);
    blocks.push([...b, '	}']);
  }
  for (const x of t.maps) blocks.push(renderMap(x));
  for (const ch of t.chains) {
    const b = [`	chain ${n(ch.name)} {`];
    if (ch.comment !== undefined) b.push(`		comment ${c(ch.comment)}`);
    if (ch.base)
      b.push(
        `		type ${ch.base.type} hook ${ch.base.hook} priority ${listPriority(ch.base)}; policy accept;`,
      );
    for (const r of ch.rules) b.push(`		${listKpRule(r)}`);
    blocks.push([...b, '	}']);
  }
  blocks.forEach((b, i) => {
    if (i) lines.push('');
    lines.push(...b);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * A listing made comparable: blank lines dropped, counters dropped, each `elements = { … }`
 * on one line with its elements sorted (the kernel lists a hash set in its own order).
 */
export function normaliseNftListing(text: string): string[] {
  const out: string[] = [];
  let open: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/ counter packets \d+ bytes \d+/, '');
    if (!line) continue;
    if (open !== undefined) {
      open += ` ${line}`;
      if (!line.endsWith('}')) continue;
      out.push(sortElements(open));
      open = undefined;
      continue;
    }
    if (line.startsWith('elements = {') && !line.endsWith('}')) {
      open = line;
      continue;
    }
    out.push(line.startsWith('elements = {') ? sortElements(line) : line);
  }
  return out;
}

function sortElements(line: string): string {
  const inner = line.slice('elements = {'.length, -1).trim();
  return `elements = { ${inner
    .split(/,\s*/)
    .map((e) => e.trim())
    .sort()
    .join(', ')} }`;
}
