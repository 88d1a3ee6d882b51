export { explain, type ExplainOptions } from './explain.js';
export { CONNTRACK_WARNING } from './conntrack-warning.js';
export { explainInbound, isHostName } from './explain-inbound.js';
export { checkExpectation, checkExpectations, type ExpectationResult } from './expectations.js';
export type { Explanation, ExplainRuleRef } from './types.js';
