// `egress-lab rules` shows the perimeter: the router's firewall chain and a gateway pod's SNAT
// (they are not nodes, but hold rules), and never mixes them into a --format tool input.
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';

const EGW = 'lab-templates/egress-gateway-enterprise.yaml';

describe('rules: perimeter sections', () => {
  it('the router: its firewall chain and hook, no empty Felix sections', async () => {
    const r = await runCli(['rules', EGW, '--node', 'tor']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("# tor: perimeter (the lab's own chains, not Felix's)");
    expect(r.out).toContain('-A FORWARD -i br0 ! -o br0 -j egress-lab-fw');
    expect(r.out).toMatch(
      /-A egress-lab-fw -d 198\.51\.100\.20\/32 .*"rule 2: nobody else" -j DROP/,
    );
    expect(r.out).not.toContain('iptables-restore');
  });

  it('a node: the Enterprise egress rules without --format only', async () => {
    const all = await runCli(['rules', EGW, '--node', 'node-1']);
    expect(all.out).toContain('# Calico Enterprise egress gateway');
    expect(all.out).toMatch(/rule add from \S+ lookup 200 pref 105/);
    const ipt = await runCli(['rules', EGW, '--node', 'node-1', '--format', 'iptables']);
    expect(ipt.out).not.toContain('egress-lab-egw');
  });
});
