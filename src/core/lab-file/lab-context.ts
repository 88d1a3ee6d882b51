// What every part of building a lab shares: the Lab document's spec, a way to report a problem
// at a path of the document, and the one namespace of container names.
import type { FieldPath } from '../calico/field-error.js';
import { dns1123LabelProblems } from '../calico/names.js';
import type { LabDocument } from './schemas.js';

export type LabSpec = LabDocument['spec'];

export interface LabContext {
  spec: LabSpec;
  /** Reports a problem at a path of the Lab document (e.g. ["spec", "nodes", 1, "address"]). */
  problem(path: FieldPath, message: string, target?: 'key' | 'value'): void;
  /**
   * Claims a name for the router, a node, a pod or a host: a DNS-1123 label, unique among all of
   * them (they become container names).
   */
  claimName(name: string, what: string, path: FieldPath): void;
}

export function createLabContext(
  spec: LabSpec,
  problem: (path: FieldPath, message: string, target?: 'key' | 'value') => void,
): LabContext {
  const P = problem;
  const names = new Map<string, string>();
  const claimName = (name: string, what: string, path: FieldPath) => {
    const bad = dns1123LabelProblems(name);
    for (const p of bad) P(path, `${what} name ${JSON.stringify(name)} ${p}`);
    if (bad.length > 0) return;
    const prior = names.get(name);
    if (prior) {
      P(
        path,
        `name ${JSON.stringify(name)} is already used by ${prior}; the router, nodes, pods and hosts share one namespace (they become container names)`,
      );
    } else names.set(name, `${what} ${name}`);
  };

  return { spec, problem, claimName };
}
