// What `diff` finds when it compares a customer's node dump with what Felix should program
// there for the lab's resources.
import type { SourcePosition } from '../errors.js';

export type FindingKind =
  | 'missing-rule'
  | 'extra-rule'
  | 'changed-rule'
  | 'foreign-before'
  | 'missing-set'
  | 'missing-member'
  | 'stale-member'
  | 'missing-route'
  | 'changed-route'
  | 'extra-route'
  | 'not-compared';

export interface DiffFinding {
  kind: FindingKind;
  /** error: the node differs from Calico in a way that changes packets; info: worth knowing. */
  severity: 'error' | 'warning' | 'info';
  /** Where in the customer's file (absent for something missing from it). */
  position?: SourcePosition;
  chain?: string;
  hash?: string;
  set?: string;
  expected?: string; // the lab's rule/member/route as the tool would print it
  found?: string; // the customer's line
  message: string; // in Calico's terms
}

export interface NodeDiffResult {
  node: string;
  calicoVersion: string;
  /** The files read, with what each was taken for. */
  inputs: { file: string; kind: string }[];
  findings: DiffFinding[];
  /** Counts of what matched, for the summary line. */
  matched: { rules: number; members: number; routes: number };
}
