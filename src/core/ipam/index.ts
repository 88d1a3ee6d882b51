export { planIpam } from './plan-ipam.js';
export { podIpv4 } from './families.js';
export { calicoVethName } from './veth-name.js';
export {
  candidatePools,
  requestedPools,
  poolSelectsNode,
  nodeSelectorLabels,
  IPV4_POOLS_ANNOTATION,
} from './pool-choice.js';
