// Where a FelixConfiguration may go in a lab: "default" (cluster-wide) or "node.<node>",
// natOutgoingExclusions only from Calico v3.31, bpfEnabled never true; nftablesMode values
// Felix's version would not take warn. Shared by loading a lab file and by
// `apply`, so both refuse the same things with the same words.
import { asWarning, type Problem } from '../errors.js';
import type { FelixConfiguration } from '../model/calico.js';
import { effectiveNftables, natBehaviour } from '../calico/versions.js';
import type { SourceIndex } from './source-index.js';

export type FelixPlacement = 'default' | 'node' | 'invalid';

export function felixPlacement(
  c: FelixConfiguration,
  nodeNames: ReadonlySet<string>,
  version: readonly number[] | undefined,
  calicoVersion: string,
  index: SourceIndex,
): { placement: FelixPlacement; problems: Problem[]; warnings: Problem[] } {
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
  problems.push(...bpfRefusal(c, index));
  const warnings: Problem[] = [];
  const nft = c.spec.nftablesMode;
  if (nft !== undefined && version) {
    const eff = effectiveNftables(nft, calicoVersion);
    if (eff.refusedByFelix) {
      warnings.push(
        asWarning(
          index.problem(
            'FelixConfiguration',
            c.name,
            ['spec', 'nftablesMode'],
            `nftablesMode ${nft}: Felix ${calicoVersion} takes only ${natBehaviour(calicoVersion).nftablesModes.join(' or ')}; it logs the value and runs with ${eff.mode}, and so does the lab`,
            'key',
          ),
        ),
      );
    }
  }
  return { placement, problems, warnings };
}

/**
 * eBPF: the lab refuses rather than print iptables rules Felix would not program. What Felix
 * keeps in iptables in BPF mode (felix/rules/nat.go, static.go) is not the packet path, and the
 * BPF programs are not emulated; see FORMAT.md. Also checked for Calico resources alone.
 */
export function bpfRefusal(c: FelixConfiguration, index: SourceIndex): Problem[] {
  if (c.spec.bpfEnabled !== true) return [];
  const also =
    c.spec.nftablesMode === 'Enabled'
      ? '; nftablesMode: Enabled is set as well, and the lab would follow neither'
      : '';
  return [
    index.problem(
      'FelixConfiguration',
      c.name,
      ['spec', 'bpfEnabled'],
      `bpfEnabled: true is refused: the lab emulates Felix's iptables dataplane only, and in eBPF mode the packets take BPF programs it does not run${also}; remove bpfEnabled (or set it to false) to study the iptables dataplane`,
    ),
  ];
}
