// Calico resources: selectors, defaults and validation with Calico's messages, pool choice,
// patch/apply, calicoctl output.
export {
  matchesSelector,
  parseSelector,
  SelectorSyntaxError,
  validateSelector,
} from './selector.js';
export type { Selector, SelectorNode } from './selector.js';
export { defaultIPv4Pool, ipPoolToResource, poolVersion, validateIPPool } from './ippool.js';
export type { IPPoolInput, IPPoolValidationContext } from './ippool.js';
export {
  defaultBGPConfiguration,
  parseASNumber,
  peerIPAddress,
  validateBGPConfiguration,
  validateBGPPeer,
} from './bgp.js';
export {
  defaultFelixConfiguration,
  parseNatPortRange,
  validateFelixConfiguration,
} from './felix.js';
export { formatFieldPath, renderFieldError } from './field-error.js';
export type { CalicoFieldError, FieldPath } from './field-error.js';
export {
  choosePools,
  HOSTNAME_LABEL,
  IPV4POOLS_ANNOTATION,
  nodeSelectorLabels,
  whyPoolNotUsable,
} from './pool-choice.js';
export type { PoolChoice } from './pool-choice.js';
export { formatIPPools } from './format.js';
export type { IPPoolOutput } from './format.js';
