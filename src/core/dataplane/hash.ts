// Felix's rule IDs (felix/generictables/rules.go ruleHashes): a SHA-224 chain over the
// chain name and each rule's "-A <chain> HASH <match> <action>" text, shown as the first
// 16 characters of unpadded base64url. Appended rules hash under "<chain>*appends*"
// (felix/iptables/table.go expectedHashesForInsertAppendChain), so the name appears in
// the hashed text too. Matching Felix's hashes lets a user diff a real node against the lab.
import { createHash } from 'node:crypto';
import { renderAppendFelix } from './iptables-text.js';
import type { Rule } from './types.js';

export const HASH_LENGTH = 16;

export function ruleHashes(chainName: string, rules: Rule[]): string[] {
  let h: Buffer = createHash('sha224').update(chainName).digest();
  return rules.map((rule) => {
    h = createHash('sha224')
      .update(h)
      .update(renderAppendFelix(chainName, rule, 'HASH'))
      .digest();
    return h.toString('base64url').slice(0, HASH_LENGTH);
  });
}

/** Hashes of rules Felix appends to a kernel chain (e.g. POSTROUTING). */
export function appendRuleHashes(chain: string, rules: Rule[]): string[] {
  return ruleHashes(`${chain}*appends*`, rules);
}
