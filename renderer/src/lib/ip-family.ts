// Address families in the screens: which ones the lab's pods have (the service's ipFamilies),
// the family a rule counter or a tool's listing belongs to, and their names.
import type { LabStatus, NatRuleCounter } from './api/types.js';

export type Family = 4 | 6;

export function familyName(f: Family): string {
  return f === 6 ? 'IPv6' : 'IPv4';
}

/** The families pods have; a lab from an older service says nothing: IPv4. */
export function labFamilies(lab: LabStatus | null | undefined): Family[] {
  return lab?.ipFamilies?.length ? lab.ipFamilies : [4];
}

/** An address literal's family, or undefined for a name. */
export function literalFamily(to: string): Family | undefined {
  if (to.includes(':')) return 6;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(to.trim()) ? 4 : undefined;
}

/** A counter's family: the service prefixes IPv6 rules with the tool that holds them. */
export function counterFamily(c: NatRuleCounter): Family {
  return /^(ip6tables|ip6 )/.test(c.rule) || c.chain.startsWith('ip6') ? 6 : 4;
}

/** The listings a rules read ran (`a; b`), each with the family it shows and the tool's words. */
export function commandFamilies(
  command: string,
): { family: Family; command: string; tool: string }[] {
  return command
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c !== '')
    .map((c) => {
      const table = /\btable (ip6?|inet) (\S+)/.exec(c);
      const tool = table ? `nft table ${table[1]} ${table[2]}` : (c.split(' ')[0] ?? c);
      return { family: /ip6tables|\bip6\b/.test(c) ? 6 : 4, command: c, tool };
    });
}
