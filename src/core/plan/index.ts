export * from './types.js';
export { renderContainer, renderBirdConfig, type RenderedDataplane } from './render-container.js';
export {
  planLab,
  CALICO_VETH_MAC,
  POD_GATEWAY,
  FABRIC_BRIDGE,
  type PlanOptions,
} from './plan-lab.js';
export { nodeDataplane, nodeEth0Addresses, nodeRoutes } from './node-dataplane.js';
export { nodeBgpPeers, nodeBirdData, routerBirdData } from './bgp.js';
export {
  meshLearned,
  routerLearned,
  routerSessionState,
  expectedSessions,
  type LearnedRoute,
  type ExpectedSession,
} from './bgp-routes.js';
