export { explain, CONNTRACK_WARNING, type ExplainOptions } from './explain.js';
export { explainInbound, isHostName } from './explain-inbound.js';
export { checkExpectation, checkExpectations, type ExpectationResult } from './expectations.js';
export type { Explanation, ExplainRuleRef } from './types.js';
