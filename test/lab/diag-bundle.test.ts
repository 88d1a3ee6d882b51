// A reproduction bundle round trip on a real engine: a lab whose addresses are not what a
// fresh plan of its file would give (a pod removed and one added while it ran: the others
// keep theirs), bundled, taken down, and brought back with `up BUNDLE`: the same addresses in
// every container, the same nat rules, ipsets and routes in the kernels. Also the CLI's
// bundle and `up` of a damaged or newer bundle.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/load.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `dia-bu-${randomBytes(3).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'dia-bundle-'));
const CLI = new URL('../../bin/egress-lab.js', import.meta.url).pathname;

function labFile(pods: string[]): string {
  return `apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: ${LAB}
spec:
  calicoVersion: v3.30
  fabric: { cidr: 172.30.0.0/24 }
  nodes:
    - { name: node-1, address: 172.30.0.11 }
    - { name: node-2, address: 172.30.0.12 }
  pods:
${pods.map((p) => `    - { name: ${p}, node: node-1 }`).join('\n')}
    - { name: far-1, node: node-2 }
  hosts:
    - { name: internet, address: 203.0.113.10/24 }
  expect:
    - { from: web-2, to: internet, seenAs: node, reply: true }
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: default-ipv4-ippool
spec:
  cidr: 192.168.0.0/16
  natOutgoing: true
`;
}

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
}, 180_000);

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

async function exec(container: string, argv: string[]): Promise<string> {
  const r = await (await service.runtime()).exec(LAB, container, argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** What the kernels hold: addresses of every container, and the nodes' rules, sets, routes. */
async function kernelState(): Promise<Record<string, unknown>> {
  const [status] = await service.status(LAB);
  const out: Record<string, unknown> = {
    addresses: Object.fromEntries(status!.containers.map((c) => [c.name, c.addresses])),
  };
  for (const node of ['node-1', 'node-2']) {
    out[node] = {
      nat: (await exec(node, ['iptables-save', '-t', 'nat']))
        .split('\n')
        .filter((l) => !l.startsWith('#')),
      // initval: the kernel's random hash seed of each new set.
      ipset: (await exec(node, ['ipset', 'save']))
        .replace(/ initval 0x[0-9a-f]+/g, '')
        .split('\n')
        .sort(),
      routes: (await exec(node, ['ip', 'route'])).split('\n').sort(),
    };
  }
  return out;
}

describe('bundle', () => {
  it('up BUNDLE brings back the same addresses, rules, sets and routes', async () => {
    await service.up([{ file: 'lab.yaml', text: labFile(['web-1', 'web-2']) }], {});
    // web-1 goes, web-3 comes: web-2 keeps its address, web-3 takes web-1's.
    const final = labFile(['web-2', 'web-3']);
    await service.up([{ file: 'lab.yaml', text: final }], {});
    const fresh = planLab(loadLab([{ file: 'lab.yaml', text: final }])).ipam.assignments;
    const [status] = await service.status(LAB);
    const live = Object.fromEntries(status!.pods.map((p) => [p.name, p.address]));
    // The point of pinning: a fresh plan of the file would give web-2 another address.
    expect(live['web-2']).not.toBe(fresh.find((a) => a.pod === 'web-2')!.address);
    const before = await kernelState();

    const bundle = await service.bundle(LAB, { check: true });
    expect(bundle.check).toMatchObject({ ok: true });
    expect(Object.keys(bundle.containers).sort()).toEqual(
      ['far-1', 'internet', 'node-1', 'node-2', 'tor', 'web-2', 'web-3'].sort(),
    );
    expect(bundle.containers['node-1']!.live['iptables-nat.txt']).toContain('cali-nat-outgoing');
    expect(bundle.containers['node-1']!.rendered!['iptablesSave']).toContain('MASQUERADE');
    expect(bundle.containers['node-1']!.live['bird-protocols.txt']).toContain('Mesh_172_30_0_12');
    const file = join(dir, 'lab.bundle.json');
    writeFileSync(file, JSON.stringify(bundle));

    await service.down(LAB);
    // The CLI path: `up FILE` with the bundle.
    execFileSync(process.execPath, [CLI, 'up', file], { stdio: 'pipe' });
    const after = await kernelState();
    expect(after).toEqual(before);
  });

  it('the CLI writes a bundle with a pcap and a node dump and its diff', async () => {
    const pcap = join(dir, 'x.pcap');
    // A pcap of two empty packets: header + two 16-byte record headers.
    const hdr = Buffer.alloc(24);
    hdr.writeUInt32LE(0xa1b2c3d4, 0);
    writeFileSync(pcap, Buffer.concat([hdr, Buffer.alloc(16), Buffer.alloc(16)]));
    const dump = join(dir, 'node-1.iptables');
    writeFileSync(dump, await exec('node-1', ['iptables-save']));
    const out = join(dir, 'cli.bundle.json');
    execFileSync(
      process.execPath,
      [
        CLI,
        'bundle',
        '--name',
        LAB,
        '-o',
        out,
        '--pcap',
        `internet=${pcap}`,
        '--dump',
        `node-1=${dump}`,
      ],
      { stdio: 'pipe' },
    );
    const b = JSON.parse(readFileSync(out, 'utf8'));
    expect(b).toMatchObject({ format: 'egress-lab/bundle', version: 1, lab: LAB });
    expect(b.captures).toEqual([expect.objectContaining({ container: 'internet', packets: 2 })]);
    expect(b.dumps[0].diff.matched.rules).toBe(4);
    expect(
      b.dumps[0].diff.findings.filter((f: { severity: string }) => f.severity === 'error'),
    ).toEqual([]);
  });

  it('up refuses a truncated bundle and a newer format, saying where, starting nothing', () => {
    const text = readFileSync(join(dir, 'lab.bundle.json'), 'utf8');
    const cut = join(dir, 'cut.bundle.json');
    writeFileSync(cut, text.slice(0, 400));
    const newer = join(dir, 'newer.bundle.json');
    writeFileSync(newer, text.replace('"version":1', '"version":2'));
    const run = (f: string): string => {
      try {
        execFileSync(process.execPath, [CLI, 'up', f, '--name', `${LAB}-x`], { stdio: 'pipe' });
      } catch (e) {
        const err = e as { status: number; stderr: Buffer };
        expect(err.status).toBe(1);
        return err.stderr.toString();
      }
      throw new Error('up accepted a bad bundle');
    };
    expect(run(cut)).toMatch(
      /cut\.bundle\.json:1:1: .*not a complete bundle.*truncated or damaged/,
    );
    expect(run(newer)).toContain(
      'newer.bundle.json:1:1: bundle format version 2 is newer than this egress-lab reads (1)',
    );
  });
});
