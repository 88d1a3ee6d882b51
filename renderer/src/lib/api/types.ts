// The renderer speaks the service's own contract; these are type-only re-exports.
export type * from '../../../../src/service/api.js';
export type { Problem, SourcePosition } from '../../../../src/core/errors.js';
export type { Explanation } from '../../../../src/core/explain/types.js';
export type { IPPool } from '../../../../src/core/model/calico.js';
