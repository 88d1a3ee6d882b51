// calicoctl delete -f on a lab: pools and peers go, a node's own FelixConfiguration goes, the
// "default" BGP and Felix configurations go back to Calico's defaults; a name the lab does
// not have is calicoctl's "resource does not exist" and nothing is deleted.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultBGPConfiguration } from '../../../src/core/calico/bgp.js';
import { defaultFelixConfiguration } from '../../../src/core/calico/felix.js';
import { deletedResourcesLab } from '../../../src/core/changes/lab-changes.js';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/index.js';

const file = 'lab-templates/wrong-source-multi-homed-node.yaml';
const lab = loadLab([{ file, text: readFileSync(file, 'utf8') }]);

describe('deletedResourcesLab', () => {
  it('removes pools, peers and node FelixConfigurations; resets the default ones', () => {
    const peer = lab.bgpPeers[0];
    const own = lab.felixNodeConfigurations?.[0];
    const refs = [
      { kind: 'IPPool', name: lab.ipPools[0]!.name },
      ...(peer ? [{ kind: 'BGPPeer', name: peer.name }] : []),
      ...(own ? [{ kind: 'FelixConfiguration', name: own.name }] : []),
      { kind: 'FelixConfiguration', name: 'default' },
      { kind: 'BGPConfiguration', name: 'default' },
    ];
    const next = deletedResourcesLab(lab, refs);
    expect(next.ipPools.map((p) => p.name)).not.toContain(lab.ipPools[0]!.name);
    if (peer) expect(next.bgpPeers.map((p) => p.name)).not.toContain(peer.name);
    if (own) expect(next.felixNodeConfigurations ?? []).not.toContainEqual(own);
    expect(next.felixConfiguration).toEqual(defaultFelixConfiguration());
    expect(next.bgpConfiguration).toEqual(defaultBGPConfiguration());
    expect(lab.ipPools.length).toBeGreaterThan(next.ipPools.length); // the input is untouched
  });

  it('a missing resource is calicoctl’s error, and nothing is deleted', () => {
    for (const ref of [
      { kind: 'BGPPeer', name: 'nobody' },
      { kind: 'FelixConfiguration', name: 'node.nowhere' },
      { kind: 'BGPConfiguration', name: 'node.nowhere' },
      { kind: 'Widget', name: 'x' },
    ]) {
      expect(() => deletedResourcesLab(lab, [ref])).toThrow(LabInputError);
      expect(() => deletedResourcesLab(lab, [ref])).toThrow(
        `resource does not exist: ${ref.kind}(${ref.name})`,
      );
    }
  });
});
