export { explain, CONNTRACK_WARNING, type ExplainOptions } from './explain.js';
export { checkExpectation, checkExpectations, type ExpectationResult } from './expectations.js';
export type { Explanation, ExplainRuleRef } from './types.js';
