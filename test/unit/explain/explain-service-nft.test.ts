// explain through a Service with kube-proxy in nftables mode (template nodeport-nftables): the
// walk names table ip kube-proxy's maps and chains (service-nodeports, external-, service-,
// local-, endpoint-'s DNAT, masquerading), and a Service without endpoints is rejected by
// nodeport-endpoints-check / service-endpoints-check through reject-chain.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { explain } from '../../../src/core/explain/explain.js';
import { loadLab } from '../../../src/core/lab-file/index.js';
import { planLab } from '../../../src/core/plan/plan-lab.js';

const FILE = 'lab-templates/nodeport-nftables.yaml';
const plan = planLab(loadLab([{ file: FILE, text: readFileSync(FILE, 'utf8') }]));
const run = (from: string, to: string) => explain(plan, from, to, { protocol: 'tcp' });

describe('explain through table ip kube-proxy', () => {
  test('NodePort, Cluster: service-nodeports -> external- marks -> masquerading to the node', () => {
    const x = run('client', 'service/web-cluster@node-1');
    const steps = x.steps.join('\n');
    expect(steps).toMatch(
      /services: @nodeport-ips, service-nodeports \{ tcp \. 30080 \} : goto external-\w{8}-default\/web-cluster\/tcp\//,
    );
    expect(steps).toMatch(/external-\w{8}-default\/web-cluster\/tcp\/: jump mark-for-masquerade/);
    expect(steps).toMatch(/numgen random mod 2/);
    expect(steps).toMatch(
      /endpoint-\w{8}-default\/web-cluster\/tcp\/__192\.168\.\d+\.\d+\/8080: meta l4proto tcp dnat to/,
    );
    expect(steps).toContain("Calico's nat-POSTROUTING (table ip calico, priority srcnat + 10)");
    // The cluster IP's own masquerade rule does not match a packet to the node port.
    expect(steps).not.toContain('ip daddr 10.96.0.1 tcp dport 80');
    expect(x.steps.filter((l) => l.includes('dnat to'))).toHaveLength(1);
    expect(x.nat).toMatchObject({ action: 'masquerade', toSource: '172.30.0.11' });
    expect(x.nat.action !== 'none' && x.nat.rule.text).toBe('masquerade fully-random');
    expect(x.seenSource).toBe('172.30.0.11');
  });

  test('NodePort, Local: external- goes to local- and the client address is kept', () => {
    const x = run('client', 'service/web-local@node-2');
    expect(x.steps.join('\n')).toMatch(/goto local-\w{8}-default\/web-local\/tcp\//);
    expect(x).toMatchObject({ seenSource: '203.0.113.10', reply: true, nat: { action: 'none' } });
  });

  test('a pod to the cluster IP inside clusterCIDR: not marked', () => {
    const x = run('shell', 'service/web-cluster');
    expect(x.steps.join('\n')).toMatch(
      /services: service-ips \{ 10\.96\.0\.1 \. tcp \. 80 \} : goto service-/,
    );
    expect(x).toMatchObject({ seenAs: 'pod', reply: true });
  });

  test('no endpoints: nodeport-endpoints-check sends it to reject-chain', () => {
    const x = run('client', 'service/web-none@node-1');
    expect(x.reply).toBe(false);
    expect(x.steps.join('\n')).toContain(
      'filter-input: ct state new jump nodeport-endpoints-check: no-endpoint-nodeports { tcp . 30090 comment "default/web-none" } : goto reject-chain',
    );
    expect(x.forward?.reason).toContain('connection refused');
    const y = run('shell', 'service/web-none');
    expect(y.steps.join('\n')).toContain(
      'filter-forward: ct state new jump service-endpoints-check',
    );
  });
});

describe("explain in iptables mode: kube-proxy's filter table", () => {
  const FIXTURE = 'test/fixtures/services-filter-lab.yaml';
  const p = planLab(loadLab([{ file: FIXTURE, text: readFileSync(FIXTURE, 'utf8') }]));
  test('no endpoints: KUBE-EXTERNAL-SERVICES / KUBE-SERVICES REJECT it', () => {
    const x = explain(p, 'client', 'service/web-none@node-1', { protocol: 'tcp' });
    expect(x.reply).toBe(false);
    expect(x.steps.join('\n')).toContain(
      'node-1: filter -A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/web-none has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30090 -j REJECT --reject-with icmp-port-unreachable',
    );
    expect(x.forward?.reason).toContain('connection refused');
  });
});
