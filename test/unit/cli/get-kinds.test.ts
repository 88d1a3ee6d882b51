// `get KIND` for the other Calico kinds, from files, printed as calicoctl prints them (headings
// from calicoctl/calicoctl/resourcemgr/*.go); other names of IPPool go to `get ippool`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'egress-get-'));
const resources = join(dir, 'bgp.yaml');
writeFileSync(
  resources,
  `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: tor-peer}
spec: {peerIP: 192.168.0.1, asNumber: 64500}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: rack-a}
spec: {peerIP: 192.168.0.2, asNumber: 64501, nodeSelector: rack == 'a'}
---
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata: {name: default}
spec: {asNumber: 64512, nodeToNodeMeshEnabled: false, logSeverityScreen: Info}
`,
);

describe('get KIND', () => {
  it('bgppeer: NAME PEERIP NODE ASN, (global) without node or selector', async () => {
    const r = await runCli(['get', 'bgppeers', '-f', resources]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PEERIP\s+NODE\s+ASN\s*$/);
    expect(lines[1]).toMatch(/^tor-peer\s+192\.168\.0\.1\s+\(global\)\s+64500\s*$/);
    expect(lines[2]).toMatch(/^rack-a\s+192\.168\.0\.2\s+rack == 'a'\s+64501\s*$/);
  });

  it('bgpconfiguration, -o json|yaml|name, and a missing name as calicoctl says it', async () => {
    const t = await runCli(['get', 'bgpconfig', '-f', resources]);
    expect(t.out).toMatch(
      /^NAME\s+LOGSEVERITY\s+MESHENABLED\s+ASNUMBER\s*\ndefault\s+Info\s+false\s+64512/,
    );
    const j = JSON.parse(
      (await runCli(['get', 'bgppeer', 'rack-a', '-f', resources, '-o', 'json'])).out,
    );
    expect(j.kind).toBe('BGPPeerList');
    expect(j.items).toEqual([
      {
        apiVersion: 'projectcalico.org/v3',
        kind: 'BGPPeer',
        metadata: { name: 'rack-a' },
        spec: { peerIP: '192.168.0.2', asNumber: 64501, nodeSelector: "rack == 'a'" },
      },
    ]);
    const y = await runCli(['get', 'bgppeer', '-f', resources, '-o', 'yaml']);
    expect(y.out).toMatch(/^apiVersion: projectcalico.org\/v3\nitems:\n- apiVersion/);
    const n = await runCli(['get', 'bgppeer', '-f', resources, '-o', 'name']);
    expect(n.out).toBe('bgppeer/tor-peer\nbgppeer/rack-a\n');
    const missing = await runCli(['get', 'bgppeer', 'tor-peer', 'nope', '-f', resources]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('tor-peer');
    expect(missing.err).toBe('resource does not exist: BGPPeer(nope) with error: <nil>\n');
  });

  it('a lab file: the configurations it runs with (defaults filled in)', async () => {
    const r = await runCli(['get', 'felixconfiguration', '-f', 'lab-templates/outgoing-nat.yaml']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^NAME\s*\ndefault/);
  });

  it('ippools and pool go to get ippool unchanged; -o name for pools too', async () => {
    const direct = await runCli([
      'get',
      'ippool',
      '-f',
      'lab-templates/outgoing-nat.yaml',
      '-o',
      'wide',
    ]);
    const routed = await runCli([
      'get',
      'ippools',
      '-f',
      'lab-templates/outgoing-nat.yaml',
      '-o',
      'wide',
    ]);
    expect(routed.code, routed.err).toBe(0);
    expect(routed.out).toBe(direct.out);
    const names = await runCli([
      'get',
      'pool',
      '-f',
      'lab-templates/outgoing-nat.yaml',
      '-o',
      'name',
    ]);
    expect(names.out).toMatch(/^(ippool\/[\w.-]+\n)+$/);
    // The exact word `ippool` (its own command) lists names the same way.
    const exact = await runCli([
      'get',
      'ippool',
      '-f',
      'lab-templates/outgoing-nat.yaml',
      '-o',
      'name',
    ]);
    expect(exact.code, exact.err).toBe(0);
    expect(exact.out).toBe(names.out);
  });

  it('an unknown kind is a usage error', async () => {
    const r = await runCli(['get', 'widgets', '-f', resources]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("resource type 'widgets' is not supported");
  });
});
