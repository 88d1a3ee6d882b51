// Where a FelixConfiguration may go in a lab: "default" (cluster-wide) or "node.<node>",
// and natOutgoingExclusions only from Calico v3.31. Shared by loading a lab file and by
// `apply`, so both refuse the same things with the same words.
import type { Problem } from '../errors.js';
import type { FelixConfiguration } from '../model/calico.js';
import type { SourceIndex } from './source-index.js';

export type FelixPlacement = 'default' | 'node' | 'invalid';

export function felixPlacement(
  c: FelixConfiguration,
  nodeNames: ReadonlySet<string>,
  version: readonly number[] | undefined,
  calicoVersion: string,
  index: SourceIndex,
): { placement: FelixPlacement; problems: Problem[] } {
  const problems: Problem[] = [];
  let placement: FelixPlacement = 'invalid';
  if (c.name === 'default') placement = 'default';
  else if (c.name.startsWith('node.') && nodeNames.has(c.name.slice(5))) placement = 'node';
  else {
    problems.push(
      index.problem(
        'FelixConfiguration',
        c.name,
        ['metadata', 'name'],
        `a FelixConfiguration is named "default" or "node.<node name>" (nodes: ${[...nodeNames].join(', ')})`,
      ),
    );
  }
  if (c.spec.natOutgoingExclusions !== undefined && version && (version[1] ?? 0) < 31) {
    problems.push(
      index.problem(
        'FelixConfiguration',
        c.name,
        ['spec', 'natOutgoingExclusions'],
        `natOutgoingExclusions exists from Calico v3.31; this lab is ${calicoVersion} (set spec.calicoVersion in the Lab)`,
      ),
    );
  }
  return { placement, problems };
}
