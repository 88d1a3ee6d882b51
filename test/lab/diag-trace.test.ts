// `trace` and `diff` on a real engine, with the several-pools template: the kernel's own trace
// of one packet (nft monitor, meta nftrace) maps the MASQUERADE rule it hit to the pool of the
// packet's source; a MASQUERADE rule of another program put before Calico's hook makes the
// kernel and explain disagree, and `diff` of the node's live iptables-save names that rule.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffNode } from '../../src/core/diag/node-diff.js';
import { LabService } from '../../src/service/lab-service.js';
import { planOf } from '../../src/service/lab-record.js';

const LAB = `dia-tr-${randomBytes(3).toString('hex')}`;
const NFT_LAB = `dia-tn-${randomBytes(3).toString('hex')}`;
const template = readFileSync(
  new URL('../../lab-templates/several-pools.yaml', import.meta.url),
  'utf8',
).replace('name: several-pools', `name: ${LAB}`);

let service: LabService;

beforeAll(async () => {
  service = new LabService();
  await service.setup();
  await service.up([{ file: 'several-pools.yaml', text: template }], {});
}, 180_000);

afterAll(async () => {
  await service?.down(LAB).catch(() => undefined);
  await service?.down(NFT_LAB).catch(() => undefined);
  await service?.close();
});

async function exec(container: string, argv: string[]): Promise<string> {
  const r = await (await service.runtime()).exec(LAB, container, argv);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('trace', () => {
  it("maps each pod's MASQUERADE hit to its own pool, as explain predicts", async () => {
    for (const [pod, node, pool] of [
      ['a-1', 'node-1', 'rack-a-pool'],
      ['b-1', 'node-2', 'rack-b-pool'],
    ] as const) {
      const t = await service.trace({ lab: LAB, from: pod, to: 'internet' });
      expect(t.node).toBe(node);
      expect(t.replied).toBe(true);
      expect(t.nat).toMatchObject({ action: 'masquerade', pool });
      const hit = t.hits.find((h) => h.chain === 'cali-nat-outgoing' && h.handle !== undefined)!;
      expect(hit.hash).toBe(
        t.explanation!.nat.action === 'masquerade' && t.explanation!.nat.rule.hash,
      );
      expect(hit.origin).toContain(`is in IPPool ${pool}`);
      // The hook and the jumps before it, each with its cali: hash and origin.
      expect(t.hits.filter((h) => h.handle !== undefined).map((h) => h.chain)).toEqual([
        'POSTROUTING',
        'cali-POSTROUTING',
        'cali-POSTROUTING',
        'cali-nat-outgoing',
      ]);
      expect(t.hits.every((h) => h.handle === undefined || h.origin)).toBe(true);
      expect(t.disagreements).toEqual([]);
    }
    // The tracing table is gone again.
    expect(await exec('node-1', ['nft', 'list', 'tables'])).not.toContain('egresslab_trace');
  });

  it("a routed pool's packet: no NAT in the kernel, none in explain", async () => {
    const t = await service.trace({ lab: LAB, from: 'r-1', to: 'internet', protocol: 'tcp' });
    expect(t.port).toBe(8080);
    expect(t.replied).toBe(true);
    expect(t.nat.action).toBe('none');
    expect(t.explanation!.nat.action).toBe('none');
    expect(t.disagreements).toEqual([]);
  });

  it("another program's MASQUERADE before Calico's hook: kernel and explain disagree; diff names it", async () => {
    // As Docker writes its own: first in POSTROUTING, no cali: comment.
    await exec('node-1', [
      'iptables',
      '-t',
      'nat',
      '-I',
      'POSTROUTING',
      '1',
      '-s',
      '10.20.0.0/24',
      '!',
      '-o',
      'docker0',
      '-j',
      'MASQUERADE',
    ]);
    try {
      const t = await service.trace({ lab: LAB, from: 'r-1', to: 'internet' });
      expect(t.nat.action).toBe('masquerade');
      expect(t.nat.hash).toBeUndefined();
      expect(t.hits.find((h) => h.foreign)?.chain).toBe('POSTROUTING');
      expect(t.disagreements).toHaveLength(1);
      expect(t.disagreements[0]).toMatch(
        /^explain says no NAT, but the kernel MASQUERADEd the packet in POSTROUTING \(a rule that is not Calico's/,
      );
      const record = await service.record(LAB);
      const saved = await exec('node-1', ['iptables-save', '-t', 'nat']);
      const r = diffNode(planOf(record), 'node-1', [
        { file: 'node-1.iptables', text: saved },
        { file: 'node-1.ipset', text: await exec('node-1', ['ipset', 'list']) },
        { file: 'node-1.routes', text: await exec('node-1', ['ip', 'route']) },
      ]);
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
      const foreign = r.findings.filter((f) => f.kind === 'foreign-before');
      expect(foreign).toHaveLength(1);
      expect(foreign[0]!.severity).toBe('warning');
      expect(foreign[0]!.message).toContain(
        "Docker's rule runs before Calico's hook in POSTROUTING",
      );
      expect(foreign[0]!.message).toContain('overlaps an IPPool');
      expect(r.matched.rules).toBe(4);
    } finally {
      await exec('node-1', [
        'iptables',
        '-t',
        'nat',
        '-D',
        'POSTROUTING',
        '-s',
        '10.20.0.0/24',
        '!',
        '-o',
        'docker0',
        '-j',
        'MASQUERADE',
      ]);
    }
    const again = await service.trace({ lab: LAB, from: 'r-1', to: 'internet' });
    expect(again.disagreements).toEqual([]);
  });

  it('refuses a destination outside the lab, sending nothing', async () => {
    await expect(service.trace({ lab: LAB, from: 'a-1', to: '8.8.8.8' })).rejects.toThrow(
      /not an address of lab/,
    );
  });
});

describe('trace on an nftables node (FelixConfiguration nftablesMode: Enabled)', () => {
  it("reads Felix's comments in table ip calico and maps the masquerade to the pool", async () => {
    const text = readFileSync(
      new URL('../../lab-templates/nftables-dataplane.yaml', import.meta.url),
      'utf8',
    ).replace(/^ {2}name: nftables-dataplane$/m, `  name: ${NFT_LAB}`);
    await service.up([{ file: 'nftables-dataplane.yaml', text }], {});
    const t = await service.trace({ lab: NFT_LAB, from: 'web-1', to: 'internet' });
    expect(t.hits.filter((h) => h.handle !== undefined).map((h) => h.table)).toEqual(
      Array(4).fill('ip calico'),
    );
    expect(t.hits.every((h) => h.handle === undefined || (h.hash && h.origin))).toBe(true);
    expect(t.nat).toMatchObject({ action: 'masquerade', pool: 'default-ipv4-ippool' });
    expect(t.nat.hash).toBe(t.explanation!.nat.action !== 'none' && t.explanation!.nat.rule.hash);
    expect(t.disagreements).toEqual([]);
  }, 120_000);
});
