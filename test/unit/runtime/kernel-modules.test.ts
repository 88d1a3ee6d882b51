// Which tunnel modules a plan needs, the probe's answer, and the refusal's words.
import { describe, expect, it } from 'vitest';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import {
  MissingKernelModuleError,
  modulesNeeded,
  parseProbe,
} from '../../../src/runtime/lab/kernel-modules.js';

const lab = (poolExtra: string, felix = '') =>
  planLab(
    loadLab([
      {
        file: 'lab.yaml',
        text: `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: km}
spec:
  nodes: [{name: node-1}, {name: node-2}]
  pods: [{name: web-1, node: node-1}]
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: p}
spec: {cidr: 192.168.0.0/16${poolExtra}}
${felix}`,
      },
    ]),
  );

describe('kernel modules', () => {
  it('IPIP needs ipip, WireGuard wireguard, VXLAN and plain labs nothing', () => {
    expect(modulesNeeded(lab(', ipipMode: Always'))).toEqual(['ipip']);
    expect(modulesNeeded(lab(', vxlanMode: Always'))).toEqual([]);
    expect(modulesNeeded(lab(''))).toEqual([]);
    const wg =
      '---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata: {name: default}\nspec: {wireguardEnabled: true}\n';
    expect(modulesNeeded(lab(', ipipMode: CrossSubnet', wg))).toEqual(['ipip', 'wireguard']);
  });

  it("reads the probe's output (the terminal's CRLF included)", () => {
    expect(parseProbe('6.1.0-18-amd64\r\nipip ok\r\nwireguard missing\r\n')).toEqual({
      kernel: '6.1.0-18-amd64',
      missing: ['wireguard'],
    });
  });

  it('names the module, the kernel and what still works', () => {
    const e = new MissingKernelModuleError('lab-x', ['ipip'], '6.18.0');
    expect(e.message).toContain('needs the kernel module ipip (IPIP pools: tunl0)');
    expect(e.message).toContain("the engine's kernel 6.18.0 does not have");
    expect(e.message).toContain('nothing was created or changed');
    expect(e.message).toContain('`validate`, `rules` and `explain` still work');
  });
});
