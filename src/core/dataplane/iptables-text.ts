// Rule data -> iptables text, in Felix's own words (felix/iptables/match_builder.go and
// actions.go): Felix feeds iptables-restore with long options (`--jump`, `--out-interface`)
// and hashes exactly that text. iptables-save prints the kernel's view instead
// (`-o`/`-p` first, `-j`), so a second renderer produces that for display and diffs.
import type { Action, MatchCriterion, Rule } from './types.js';

/** Felix's MatchCriteria.Render() for one criterion. */
export function renderMatchFelix(m: MatchCriterion): string {
  const not = m.negate ? '! ' : '';
  switch (m.kind) {
    case 'srcSet':
      return `-m set ${not}--match-set ${m.set} src`;
    case 'dstSet':
      return `-m set ${not}--match-set ${m.set} dst`;
    case 'outInterface':
      return `${not}--out-interface ${m.name}`;
    case 'protocol':
      return `${not}-p ${m.name}`;
    case 'ctstate':
      return `-m conntrack ${not}--ctstate ${m.states.join(',')}`;
    case 'protocolNum':
      return `${not}-p ${m.num}`;
    case 'srcAddrType':
      // felix/iptables/match_builder.go SrcAddrType / NotSrcAddrType.
      return `-m addrtype ${not}--src-type ${m.addrType}${m.limitIfaceOut ? ' --limit-iface-out' : ''}`;
  }
}

/** iptables-save's name for a protocol number Felix writes as `-p N`. */
const PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 4: 'ipencap', 6: 'tcp', 17: 'udp' };

/** Felix's Action.ToFragment(), with the random-fully feature detected (iptables >= 1.6.2). */
export function renderActionFelix(a: Action): string {
  switch (a.kind) {
    case 'jump':
      return `--jump ${a.target}`;
    case 'return':
      return '--jump RETURN';
    case 'masquerade': {
      const rf = a.randomFully ? ' --random-fully' : '';
      return a.toPorts
        ? `--jump MASQUERADE --to-ports ${a.toPorts}${rf}`
        : `--jump MASQUERADE${rf}`;
    }
    case 'snat':
      return `--jump SNAT --to-source ${a.toSource}${a.randomFully ? ' --random-fully' : ''}`;
  }
}

// generictables.escapeComment: anything but shell-safe characters becomes "_".
function escapeComment(s: string): string {
  return s.replace(/[^\w @%+=:,./-]/g, '_').slice(0, 256);
}

/**
 * Felix's iptablesRenderer.renderInner: "-A <chain> [hash comment] [comments] [match] [action]".
 * hash === 'HASH' gives the text Felix hashes (generictables.RuleHashes); '' omits the comment.
 */
export function renderAppendFelix(chain: string, rule: Rule, hash: string): string {
  const parts = ['-A', chain];
  if (hash === 'HASH') parts.push('HASH');
  else if (hash !== '') parts.push(`-m comment --comment "cali:${hash}"`);
  for (const c of rule.comments ?? []) parts.push(`-m comment --comment "${escapeComment(c)}"`);
  const match = rule.match.map(renderMatchFelix).join(' ');
  if (match) parts.push(match);
  parts.push(renderActionFelix(rule.action));
  return parts.join(' ');
}

/** The same rule as `iptables-save` prints it (header fields first, short target). */
export function renderSaveLine(chain: string, rule: Rule, hash: string): string {
  const parts = ['-A', chain];
  // iptables prints the IP header part in the order -s -d -i -o -p, then the matches.
  for (const m of rule.match) {
    if (m.kind === 'outInterface') parts.push(`${m.negate ? '! ' : ''}-o ${m.name}`);
  }
  for (const m of rule.match) {
    if (m.kind === 'protocol') parts.push(`${m.negate ? '! ' : ''}-p ${m.name}`);
    if (m.kind === 'protocolNum')
      parts.push(`${m.negate ? '! ' : ''}-p ${PROTOCOL_NAMES[m.num] ?? m.num}`);
  }
  if (hash) parts.push(`-m comment --comment "cali:${hash}"`);
  for (const c of rule.comments ?? []) parts.push(`-m comment --comment "${escapeComment(c)}"`);
  for (const m of rule.match) {
    if (
      m.kind === 'srcSet' ||
      m.kind === 'dstSet' ||
      m.kind === 'ctstate' ||
      m.kind === 'srcAddrType'
    )
      parts.push(renderMatchFelix(m));
  }
  parts.push(renderActionSave(rule.action));
  return parts.join(' ');
}

function renderActionSave(a: Action): string {
  switch (a.kind) {
    case 'jump':
      return `-j ${a.target}`;
    case 'return':
      return '-j RETURN';
    case 'masquerade':
      return `-j MASQUERADE${a.toPorts ? ` --to-ports ${a.toPorts}` : ''}${a.randomFully ? ' --random-fully' : ''}`;
    case 'snat':
      return `-j SNAT --to-source ${a.toSource}${a.randomFully ? ' --random-fully' : ''}`;
  }
}
