// Felix's filter rules in nftables mode: matches and actions in the words of
// felix/nftables/match_builder_test.go and actions_test.go, the filter layer's names and base
// chain (table.go, table_layer.go), the workload dispatch as verdict maps (rules/dispatch.go),
// hashes over the nft text, and the whole transaction accepted by nft itself (`nft -c`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { diffDataplane } from '../../../src/core/dataplane/diff.js';
import {
  nftFilterLayer,
  renderNftApplyPartsWithFilter,
  renderNftFilterAction,
  renderNftFilterMatch,
  renderNftFilterRuleText,
} from '../../../src/core/dataplane/render-nft-filter.js';
import type { FilterMatch } from '../../../src/core/dataplane/filter-types.js';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';
import { renderContainer } from '../../../src/core/plan/render-container.js';

const LAB = (felix: string) => `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: t}
spec:
  nodes: [{name: node-1}]
  pods: [{name: a-1, node: node-1, labels: {app: a}}, {name: a-2, node: node-1, labels: {app: a}}]
---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: ${felix}}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-partners}
spec:
  selector: app == 'a'
  egress: [{action: Allow, protocol: UDP, destination: {selector: role == 'partner', ports: [53, '8000:8080']}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: partner}}
spec: {nets: [198.51.100.0/24]}
`;
const loaded = (mode: string) => loadLab([{ file: 'lab.yaml', text: LAB(mode) }]);
const node1 = (mode = 'Enabled') =>
  planLab(loaded(mode)).containers.find((c) => c.name === 'node-1')!.dataplane!;

const m = (x: FilterMatch, rule: FilterMatch[] = [x]) => renderNftFilterMatch(x, rule);

function nftCheckAvailable(): boolean {
  return spawnSync('nft', ['--version']).status === 0 && process.getuid?.() === 0;
}

describe('policy rules in nftables mode', () => {
  test('matches: Felix nft words (match_builder_test.go)', () => {
    expect(m({ kind: 'inInterface', name: 'tap1234abcd' })).toBe('iifname tap1234abcd');
    // static.go: the workload prefix with nft's wildcard.
    expect(m({ kind: 'outInterface', name: 'cali+' })).toBe('oifname cali*');
    expect(m({ kind: 'markClear', mask: 0x10000 })).toBe('meta mark & 0x10000 == 0');
    expect(m({ kind: 'markNotClear', mask: 0x20000 })).toBe('meta mark & 0x20000 != 0');
    expect(m({ kind: 'markSet', mark: 0x10000 })).toBe('meta mark & 0x10000 == 0x10000');
    expect(m({ kind: 'ctstate', states: 'RELATED,ESTABLISHED' })).toBe(
      'ct state related,established',
    );
    expect(m({ kind: 'srcSet', set: 'cali40s:abc' })).toBe('ip saddr @cali40s-abc');
    expect(m({ kind: 'dstSet', set: 'cali40s:abc', negate: true })).toBe(
      'ip daddr != @cali40s-abc',
    );
    expect(m({ kind: 'dstNet', cidr: '203.0.113.0/24', negate: true })).toBe(
      'ip daddr != 203.0.113.0/24',
    );
    const tcp: FilterMatch[] = [
      { kind: 'protocol', name: 'tcp' },
      { kind: 'dstPorts', ports: '1234,5678:6000' },
    ];
    expect(tcp.map((x) => m(x, tcp)).join(' ')).toBe(
      'meta l4proto tcp tcp dport { 1234, 5678-6000 }',
    );
    const udp: FilterMatch[] = [
      { kind: 'protocolNum', num: 17 },
      { kind: 'srcPorts', ports: '1234', negate: true },
    ];
    expect(udp.map((x) => m(x, udp)).join(' ')).toBe('meta l4proto 17 udp sport != { 1234 }');
    expect(m({ kind: 'icmp', type: 123, code: 5 })).toBe('icmp type 123 code 5');
    expect(() => m({ kind: 'dstPorts', ports: '80' }, [{ kind: 'dstPorts', ports: '80' }])).toThrow(
      /TCP, UDP or SCTP/,
    );
  });

  test('actions (actions_test.go) and rule text (renderer.go)', () => {
    expect(renderNftFilterAction({ kind: 'clearMark', mask: 0x1000 })).toBe(
      'meta mark set mark & 0xffffefff',
    );
    expect(renderNftFilterAction({ kind: 'setMark', mark: 0x1000 })).toBe(
      'meta mark set mark or 0x1000',
    );
    expect(renderNftFilterAction({ kind: 'setMaskedMark', mark: 0x1000, mask: 0xf000 })).toBe(
      'meta mark set mark & 0xffff0fff ^ 0x1000',
    );
    expect(renderNftFilterAction({ kind: 'goto', target: 'cali-fw-cali1' })).toBe(
      'goto filter-cali-fw-cali1',
    );
    expect(renderNftFilterRuleText({ match: [], action: { kind: 'drop' } })).toBe('counter drop');
    // A comment-only rule: no action, no counter; nothing at all is `continue`.
    expect(renderNftFilterRuleText({ match: [], action: { kind: 'none' } })).toBe('continue');
  });

  test('the layer: base chain, prefixed chains, vmap dispatch, hashes over the nft text', () => {
    const dp = node1();
    const layer = nftFilterLayer(dp.filter!);
    expect(layer.baseChains).toEqual([
      { name: 'filter-FORWARD', head: 'type filter hook forward priority filter; policy accept;' },
      { name: 'filter-INPUT', head: 'type filter hook input priority filter; policy accept;' },
      { name: 'filter-OUTPUT', head: 'type filter hook output priority filter; policy accept;' },
    ]);
    expect(layer.chains.every((c) => c.startsWith('filter-cali-'))).toBe(true);
    // No interface prefix tree in nftables mode: both pods are map elements.
    expect(layer.chains.filter((c) => c.startsWith('filter-cali-from-wl-dispatch'))).toEqual([
      'filter-cali-from-wl-dispatch',
    ]);
    const from = layer.maps.find((x) => x.name === 'filter-cali-from-wl-dispatch')!;
    expect(from.elements).toHaveLength(2);
    for (const [iface, verdict] of from.elements)
      expect(verdict).toBe(`goto filter-cali-fw-${iface}`);
    const dispatch = layer.rules.filter((r) => r.chain === 'filter-cali-from-wl-dispatch');
    expect(dispatch.map((r) => r.text.replace(/ comment .*/, ''))).toEqual([
      'iifname vmap @filter-cali-from-wl-dispatch',
      'counter drop',
    ]);
    // Inserted rules hash under the chain, appended ones under "<chain>*appends*".
    const fwd = layer.rules.filter((r) => r.chain === 'filter-FORWARD');
    const first = createHash('sha224')
      .update(createHash('sha224').update('filter-FORWARD').digest())
      .update('counter jump filter-cali-FORWARD')
      .digest()
      .toString('base64url')
      .slice(0, 16);
    expect(fwd[0]).toMatchObject({ placement: 'insert', hash: first });
    const appended = createHash('sha224')
      .update(createHash('sha224').update('filter-FORWARD*appends*').digest())
      .update('meta mark & 0x10000 == 0x10000 counter accept')
      .digest()
      .toString('base64url')
      .slice(0, 16);
    expect(fwd[1]).toMatchObject({ placement: 'append', hash: appended });
    expect(fwd[1]!.text).toBe(
      `meta mark & 0x10000 == 0x10000 counter accept comment "cali:${appended}; Policy explicitly accepted packet."`,
    );
    // The policy's rule: its set, protocol and ports.
    expect(layer.rules.map((r) => r.text).join('\n')).toMatch(
      /meta l4proto udp ip daddr @cali40s-[\w-]+ udp dport \{ 53, 8000-8080 \} counter meta mark set mark or 0x10000/,
    );
  });

  test('iptables mode keeps the iptables form; nftables mode warns no more', () => {
    expect(node1('Disabled').natDataplane).not.toBe('nftables');
    expect((loaded('Enabled').warnings ?? []).map((w) => w.message).join('\n')).not.toMatch(
      /nftables mode/,
    );
    const p = renderNftApplyPartsWithFilter(node1());
    expect(p.prep).toMatch(
      /^add map ip calico filter-cali-to-wl-dispatch \{ type ifname : verdict; \}$/m,
    );
    expect(p.table).toMatch(/^table ip calico \{\n\tmap filter-cali-from-wl-dispatch/m);
  });

  test('diff: a policy change on an nftables node shows nft filter lines', () => {
    const before = node1();
    const text = LAB('Enabled').replace("ports: [53, '8000:8080']", 'ports: [53]');
    const after = planLab(loadLab([{ file: 'lab.yaml', text }])).containers.find(
      (c) => c.name === 'node-1',
    )!.dataplane!;
    const d = diffDataplane(before, after);
    expect(d.added.join('\n')).toMatch(
      /^add rule ip calico filter-cali-po-\S+ meta l4proto udp .*udp dport \{ 53 \} counter/m,
    );
    expect(d.removed.join('\n')).toMatch(/udp dport \{ 53, 8000-8080 \}/);
  });

  test('explain names the nft rule; the Rules view shows the filter layer', () => {
    const NFT = `---
apiVersion: projectcalico.org/v3
kind: FelixConfiguration
metadata: {name: default}
spec: {nftablesMode: Enabled}
`;
    const f = 'policy-default-deny-networkset.yaml';
    const text = readFileSync(join(import.meta.dirname, '../../../lab-templates', f), 'utf8');
    const plan = planLab(
      loadLab([
        { file: f, text },
        { file: 'nft.yaml', text: NFT },
      ]),
    );
    const v = explain(plan, 'shop-1', 'internet').policy!.verdicts[0]!;
    expect(v.by).toBe('end-of-tier');
    const c = plan.containers.find((x) => x.name === 'node-1')!;
    const rule = nftFilterLayer(c.dataplane!.filter!).rules.find((r) => r.hash === v.hash)!;
    expect(rule.chain).toMatch(/^filter-cali-fw-/);
    expect(rule.text).toMatch(/counter drop comment "cali:[\w-]+; End of tier default/);
    expect(renderContainer(c).nftRuleset).toContain(rule.text);
  });

  test.skipIf(!nftCheckAvailable())('nft -c accepts the whole transaction', () => {
    const p = renderNftApplyPartsWithFilter(node1());
    const r = spawnSync('unshare', ['-n', 'nft', '-c', '-f', '-'], {
      input: p.prep + p.table,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
