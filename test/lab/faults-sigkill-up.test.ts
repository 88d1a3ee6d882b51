// Fault: the service (the CLI process running `up`) killed with SIGKILL in the middle of
// `up`. A second `up` converges: every container exactly once, no helper left, traffic
// flows; `down` then leaves no container, helper or veth of the lab.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/core/lab-file/index.js';
import { planLab } from '../../src/core/plan/plan-lab.js';
import { LABEL_LAB, LABEL_NAME, LABEL_ROLE } from '../../src/runtime/lab/labels.js';
import { LabService } from '../../src/service/lab-service.js';
import { hostIfnames } from './helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/egress-lab.js');
const TEMPLATE = join(ROOT, 'lab-templates/outgoing-nat.yaml');
const tag = randomBytes(2).toString('hex');
const service = new LabService();
const used: string[] = [];

/** Runs `up` in a child process and SIGKILLs it when a progress line matches `when`. */
function upKilledWhen(
  file: string,
  lab: string,
  when: RegExp,
): Promise<{ lines: string[]; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'up', file, '--name', lab], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buf = '';
    const onData = (b: Buffer): void => {
      buf += b.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (when.test(line) && child.exitCode === null) child.kill('SIGKILL');
      }
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ lines, signal }));
  });
}

function runCli(args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [CLI, ...args], {
      stdio: 'pipe',
      timeout: 170_000,
    }).toString();
    return { code: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: Buffer; stderr?: Buffer };
    return { code: err.status ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

async function labContainers(lab: string) {
  const rt = await service.runtime();
  return rt.docker.listContainers({ all: true, filters: { label: [`${LABEL_LAB}=${lab}`] } });
}

/** The lab's containers once no helper is left, or after 5 s with what is left. */
async function withoutHelpers(lab: string) {
  for (let i = 0; ; i++) {
    const infos = await labContainers(lab);
    if (i >= 50 || !infos.some((c) => c.Labels[LABEL_ROLE] === 'helper')) return infos;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const plan = planLab(loadLab([{ file: TEMPLATE, text: readFileSync(TEMPLATE, 'utf8') }]));
const planIfnames = new Set(
  plan.links.flatMap((l) => [l.a.ifname, l.b.ifname]).filter((n) => n !== 'eth0'),
);
let hostBefore: Set<string>;
let dir: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/src/shells/cli/main.js'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  await service.setup();
  hostBefore = hostIfnames();
  dir = mkdtempSync(join(tmpdir(), 'fault-'));
  writeFileSync(join(dir, 'lab.yaml'), readFileSync(TEMPLATE, 'utf8'));
});

afterAll(async () => {
  for (const lab of used) await service.down(lab).catch(() => undefined);
  await service.close();
});

describe('SIGKILL in the middle of up', () => {
  // Kill points: while containers start, and once the dataplane is being applied.
  const cases: [string, RegExp][] = [
    ['while containers start', /started \S+ \(2\/\d+\)/],
    ['during wiring', /\] wiring:/],
    ['while the dataplane is applied', /\] dataplane:/],
  ];
  it.each(cases)(
    '%s: up again converges, nothing doubled; down leaves nothing',
    async (_what, when) => {
      const lab = `fault-kill-${tag}-${used.length}`;
      used.push(lab);
      const file = join(dir, 'lab.yaml');
      const killed = await upKilledWhen(file, lab, when);
      expect(
        killed.signal,
        `up ran to the end before the kill point: ${killed.lines.join(' | ')}`,
      ).toBe('SIGKILL');
      expect(killed.lines.some((l) => l.includes('is ready'))).toBe(false);

      const again = runCli(['up', file, '--name', lab]);
      expect(again.code, again.out).toBe(0);

      // The helpers (the killed run's and the last one, which the engine removes once it
      // has exited) are gone within moments; every lab container is there exactly once.
      const infos = await withoutHelpers(lab);
      expect(infos.filter((i) => i.Labels[LABEL_ROLE] === 'helper')).toEqual([]);
      const names = infos.map((i) => i.Labels[LABEL_NAME]);
      expect(names.sort()).toEqual(plan.containers.map((c) => c.name).sort()); // each exactly once
      expect(infos.every((i) => i.State === 'running')).toBe(true);

      const [status] = await service.status(lab);
      expect(status?.running).toBe(true);
      const node = status!.containers.find((c) => c.name === 'node-1')!;
      expect(node.bgp?.every((s) => s.state === 'Established')).toBe(true);
      const rt = await service.runtime();
      const internet = status!.hosts.find((h) => h.name === 'internet')!.address.split('/')[0]!;
      const ping = await rt.ping(lab, 'web-1', internet, 3);
      expect(ping.received).toBeGreaterThan(0);

      expect(runCli(['down', '--name', lab]).code).toBe(0);
      expect(await labContainers(lab)).toEqual([]);
      const leaked = [...hostIfnames()].filter((n) => !hostBefore.has(n) && planIfnames.has(n));
      expect(leaked).toEqual([]);
    },
  );
});
