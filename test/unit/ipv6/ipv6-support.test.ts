// FelixConfiguration ipv6Support as Felix takes it: felix/config/config_params.go
// (`Ipv6Support bool config:"bool;true"`), felix/dataplane/driver.go (IPv6Enabled:
// configParams.Ipv6Support) and int_dataplane.go (with IPv6Enabled false: no IPv6 ipsets, no
// IPv6 nat table in iptables or nftables mode). What still happens is Calico's CNI's
// (cni-plugin/pkg/dataplane/linux/dataplane_linux.go: the pod's IPv6 address, its gateway
// route, the node's `<pod>/128` route via SetupRoutes) and confd's (bird6 side).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { explain } from '../../../src/core/explain/explain.js';
import { LabInputError } from '../../../src/core/errors.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import type { Lab } from '../../../src/core/model/lab.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';
import { diffDataplane } from '../../../src/core/dataplane/diff.js';
import { applyInputFiles } from '../../../src/runtime/agent/apply-input.js';

const FILE = 'lab-templates/nat66-toggle.yaml';
function lab(spec: string, name = 'default'): Lab {
  const doc = `---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
  return loadLab([{ file: FILE, text: `${readFileSync(FILE, 'utf8')}${doc}` }]);
}
const node = (l: Lab, name = 'node-1') =>
  planLab(l).containers.find((c) => c.role === 'node' && c.name === name)!;
const pod = (l: Lab, name: string) => planLab(l).containers.find((c) => c.name === name)!;

describe('FelixConfiguration ipv6Support', () => {
  test('false: no cali60 sets, no IPv6 nat table, in either mode', () => {
    for (const mode of ['', '  nftablesMode: Enabled\n']) {
      const c = node(lab(`  ipv6Support: false\n${mode}`));
      expect(c.dataplane!.ipv6).toMatchObject({
        address: '2001:db8:30::11',
        ipsets: [],
        felixOff: true,
      });
      const r = renderContainer(c);
      expect(r.ip6tablesNat).toBeUndefined();
      expect(r.ipsetRestore ?? '').not.toContain('cali60');
      expect(r.nftRuleset ?? '').not.toContain('ip6');
      const names = applyInputFiles(c).map((f) => f.name);
      expect(names.filter((n) => /^(nat6|nft6)\./.test(n))).toEqual([]);
      // IPv4 is untouched.
      expect(r.iptablesSave ?? r.nftRuleset).toContain('cali40masq-ipam-pools');
    }
  });

  test('what still happens: the pods keep IPv6 addresses, the CNI routes and BIRD’s IPv6 side', () => {
    const on = lab('  ipv6Support: true\n');
    const offLab = lab('  ipv6Support: false\n');
    expect(pod(offLab, 'web-1').interfaces).toEqual(pod(on, 'web-1').interfaces);
    expect(pod(offLab, 'web-1').routes).toEqual(pod(on, 'web-1').routes);
    expect(node(offLab).routes).toEqual(node(on).routes);
    expect(node(offLab).routes.some((r) => r.dst.endsWith('/128'))).toBe(true);
    expect(node(offLab).dataplane!.bird).toEqual(node(on).dataplane!.bird);
    // true is Felix's default: the same node as with the field unset.
    expect(renderContainer(node(on))).toEqual(renderContainer(node(lab('  natPortRange: ""\n'))));
  });

  test('explain: the IPv6 flow keeps the pod’s source, saying why', () => {
    const e = explain(planLab(lab('  ipv6Support: false\n')), 'web-1', 'internet', {
      ipVersion: 6,
    });
    expect(e.nat).toEqual({ action: 'none' });
    expect(e.seenAs).toBe('pod');
    expect(e.steps.join('\n')).toContain('ipv6Support: false: it programs no IPv6 NAT');
  });

  test('per node (node.<name>): only that node stops, and the warning names it', () => {
    const l = lab('  ipv6Support: false\n', 'node.node-2');
    expect(node(l, 'node-1').dataplane!.ipv6!.felixOff).toBeUndefined();
    expect(node(l, 'node-2').dataplane!.ipv6!.felixOff).toBe(true);
    const w = (l.warnings ?? []).map(formatProblem).filter((x) => x.includes('ipv6Support'));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(
      /FelixConfiguration\(node\.node-2\) spec\.ipv6Support: ipv6Support is false: Felix on node-2 programs no IPv6 sets or NAT rules/,
    );
    expect(w[0]).toContain('IPv6 pools with natOutgoing (ula-pool) are not NATed there');
  });

  test('the warning is positioned at the field, and says what the CNI and BIRD still do', () => {
    const w = (lab('  ipv6Support: false\n').warnings ?? []).find(
      (x) => x.field === 'spec.ipv6Support',
    )!;
    expect(w.position).toMatchObject({ file: FILE });
    expect(w.message).toContain("Calico's CNI still gives pods IPv6 addresses");
    expect(w.message).toContain('BIRD still exports the IPv6 blocks');
    expect(w.message).not.toMatch(/not modelled: ipv6Support/);
  });

  test('a rule diff of turning it off: every IPv6 rule and set member goes', () => {
    const d = diffDataplane(
      node(lab('  nftablesMode: Enabled\n')).dataplane!,
      node(lab('  nftablesMode: Enabled\n  ipv6Support: false\n')).dataplane!,
    );
    expect(d.added).toEqual([]);
    expect(d.removed.length).toBe(4);
    expect(d.removed.every((l) => l.startsWith('add rule ip6 calico '))).toBe(true);
  });

  test('not a boolean: refused, positioned', () => {
    let err: unknown;
    try {
      lab('  ipv6Support: "no"\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabInputError);
    const text = (err as LabInputError).problems.map(formatProblem).join('\n');
    expect(text).toMatch(
      /nat66-toggle\.yaml:\d+:\d+: FelixConfiguration\(default\) spec\.ipv6Support: error with field IPv6Support = 'no' \(must be true or false\)/,
    );
  });
});
