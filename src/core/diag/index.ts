export { diffNode } from './node-diff.js';
export { dumpKind, type DumpKind, type DumpText } from './dump-text.js';
export { ruleOrigin, poolOfAddress, type RuleOrigin } from './rule-origin.js';
export type { DiffFinding, FindingKind, NodeDiffResult } from './types.js';
