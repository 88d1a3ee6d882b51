// The dataplane as data and its renderers (see ./types.ts).
export * from './types.js';
export { ruleHashes, appendRuleHashes, HASH_LENGTH } from './hash.js';
export {
  renderAppendFelix,
  renderSaveLine,
  renderMatchFelix,
  renderActionFelix,
} from './iptables-text.js';
export {
  natTable,
  natIpSets,
  natOutgoingRules,
  felixPortRange,
  sortCidrs,
  IPSET_MASQ_POOLS,
  IPSET_ALL_POOLS,
  IPSET_ALL_HOSTS,
  CHAIN_POSTROUTING,
  CHAIN_FIP_SNAT,
  CHAIN_NAT_OUTGOING,
} from './felix-nat.js';
export {
  renderIpsetRestore,
  renderIpsetStages,
  describeIpsets,
  tempSetName,
  IPSET_MAXELEM,
  type IpsetStages,
} from './render-ipset.js';
export {
  renderIptablesNat,
  renderNatRestoreParts,
  renderIptablesSave,
  hashedRules,
  saveLines,
  type HashedRule,
  type NatRestoreParts,
} from './render-nat.js';
export {
  renderNftRuleset,
  renderNftApply,
  renderNftApplyParts,
  type NftApplyParts,
  renderNftRuleText,
  nftRuleLines,
  nftHashedRules,
  nftRuleHashes,
  nftChainName,
  nftSetName,
  NFT_FAMILY,
  NFT_TABLE,
  type NftRule,
} from './render-nft.js';
export { renderRoutes, renderRoute } from './render-routes.js';
export { renderBirdNode } from './render-bird-node.js';
export { renderBirdRouter } from './render-bird-router.js';
export {
  evaluateNat,
  masqueradeSource,
  nextHopFor,
  type NatPacket,
  type NatVerdict,
  type NatRuleHit,
} from './evaluate.js';
export { diffDataplane } from './diff.js';
