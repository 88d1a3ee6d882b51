// Two processes changing one lab at once (issue #20): the CLI (`egress-lab patch ippool`, a
// process of its own per toggle) and an in-process LabService toggle one pool's natOutgoing
// 100 times each, interleaved; at the end the lab's record and every node's rules agree.
// The lab's lock (runtime/lab/lab-lock.ts) lives in the router, so both take the same one.
// Needs `npm run build` (the CLI runs from dist/).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabService } from '../../src/service/lab-service.js';

const LAB = `two-proc-${randomBytes(3).toString('hex')}`;
const POOL = 'default-ipv4-ippool';
const POOL_CIDR = '192.168.0.0/16';
const NODES = ['node-1', 'node-2'];
const TOGGLES = 100;
const CLI = fileURLToPath(new URL('../../bin/egress-lab.js', import.meta.url));
const template = readFileSync(
  new URL('../../lab-templates/outgoing-nat.yaml', import.meta.url),
  'utf8',
);

let service: LabService;
const report: string[] = [];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

const summary = (values: number[]): string =>
  `p50 ${Math.round(pct(values, 50))} ms, p95 ${Math.round(pct(values, 95))} ms, max ${Math.round(Math.max(...values))} ms`;

function cliPatch(nat: boolean): Promise<{ code: number | null; out: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        CLI,
        'patch',
        'ippool',
        POOL,
        '--patch',
        JSON.stringify({ spec: { natOutgoing: nat } }),
        '--name',
        LAB,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, ms: performance.now() - t0 }));
  });
}

/** Each node's rules as the kernel has them: the pool in the masquerade set, the MASQUERADE rule. */
async function nodeNat(node: string): Promise<{ inSet: boolean; rule: boolean }> {
  const rt = await service.runtime();
  const set = await rt.exec(LAB, node, ['ipset', 'list', 'cali40masq-ipam-pools']);
  expect(set.exitCode, set.stderr).toBe(0);
  const nat = await rt.exec(LAB, node, ['iptables-save', '-t', 'nat']);
  expect(nat.exitCode, nat.stderr).toBe(0);
  const members = set.stdout.split('Members:')[1] ?? '';
  return {
    inSet: members.split('\n').some((l) => l.trim() === POOL_CIDR),
    rule: /^-A cali-nat-outgoing .*--match-set cali40masq-ipam-pools src .*-j MASQUERADE/m.test(
      nat.stdout,
    ),
  };
}

/** Nodes whose rules differ from what the record says natOutgoing is. */
async function divergences(): Promise<string[]> {
  const record = await service.record(LAB);
  const nat = record.lab.ipPools.find((p) => p.name === POOL)?.spec.natOutgoing ?? false;
  const out: string[] = [];
  for (const node of NODES) {
    const got = await nodeNat(node);
    if (got.inSet !== nat || got.rule !== nat)
      out.push(`${node}: record natOutgoing=${nat}, set has pool=${got.inSet}, rule=${got.rule}`);
  }
  return out;
}

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/src/shells/cli/main.js', import.meta.url)))
    throw new Error('this test runs the CLI from dist/: run `npm run build` first');
  service = new LabService();
  await service.setup();
  await service.up([{ file: 'outgoing-nat.yaml', text: template }], { name: LAB });
});

afterAll(async () => {
  console.log(`[two-processes] ${report.join('; ')}`);
  await service?.down(LAB).catch(() => undefined);
  await service?.close();
});

describe('two processes, one lab', () => {
  it('what the lock costs a toggle: the lock round trip, and toggles alone', async () => {
    const rt = await service.runtime();
    const lockMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const lock = await rt.lockLab(LAB, 'tor', { owner: 'the lab test' });
      lockMs.push(performance.now() - t0);
      expect(lock.interrupted).toBeUndefined();
      await lock.release();
    }
    const toggleMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await service.patchPool(LAB, POOL, { spec: { natOutgoing: i % 2 === 1 } });
      toggleMs.push(performance.now() - t0);
    }
    await service.settled();
    expect(await divergences()).toEqual([]);
    report.push(`lock taken (hot path) ${summary(lockMs)}`);
    report.push(`service toggle alone ${summary(toggleMs)}`);
  });

  it(`${TOGGLES} toggles from the CLI and ${TOGGLES} through the service at once: the record equals every node's rules`, async () => {
    let cliStarted = 0;
    let cliDone = false;
    const cliResults: { code: number | null; out: string; ms: number }[] = [];
    const serviceMs: number[] = [];
    const t0 = performance.now();
    const cli = (async () => {
      try {
        for (let i = 0; i < TOGGLES; i++) {
          cliStarted = i + 1;
          cliResults.push(await cliPatch(i % 2 === 1));
        }
      } finally {
        cliDone = true;
      }
    })();
    const viaService = (async () => {
      for (let i = 0; i < TOGGLES; i++) {
        // Each service toggle lands while a CLI process is starting or changing the lab.
        while (cliStarted <= i && !cliDone) await sleep(5);
        await sleep(Math.random() * 150);
        const s = performance.now();
        await service.patchPool(LAB, POOL, { spec: { natOutgoing: i % 2 === 0 } });
        serviceMs.push(performance.now() - s);
      }
    })();
    await Promise.all([cli, viaService]);
    await service.settled();
    const totalMs = performance.now() - t0;

    const failed = cliResults.filter((r) => r.code !== 0);
    expect(failed.map((r) => r.out)).toEqual([]);
    expect(cliResults).toHaveLength(TOGGLES);
    expect(serviceMs).toHaveLength(TOGGLES);
    expect(await divergences()).toEqual([]);
    // The lock was let go cleanly every time: no change is marked as interrupted.
    const lock = await (await service.runtime()).lockLab(LAB, 'tor', { owner: 'the lab test' });
    expect(lock.interrupted).toBeUndefined();
    await lock.release();

    report.push(`${2 * TOGGLES} toggles (CLI and service at once) in ${Math.round(totalMs)} ms`);
    report.push(`CLI toggle (whole process) ${summary(cliResults.map((r) => r.ms))}`);
    report.push(`service toggle under contention ${summary(serviceMs)}`);
  });
});
