// (7) The CLI as a user runs it, one fresh process each time:
//  - `egress-lab --help` next to a bare `node -e ''`, interleaved in the same run (goal <= 2x);
//  - `egress-lab patch ippool … --patch natOutgoing` on a running lab, from just before the
//    process is spawned to the first packet with the new source on the internet host's wire
//    (the toggle measure's tap and new-flow pings; goal p95 <= 250 ms): the CLI doing the work
//    itself (EGRESS_LAB_DIRECT=1), and through a running `egress-lab serve` (its own registry
//    directory, so no other server on the machine is used).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../lib/clock.js';
import { cliPath, runCli, runNode, startCli } from '../lib/cli-process.js';
import { address, defaultTemplate, downQuietly, type BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import { settle } from '../lib/settle.js';
import { summarize } from '../lib/stats.js';
import type { Row } from '../lib/table.js';
import { newFlowPinger, wireTap, type WireTap } from '../lib/wire.js';

const LAB = 'bench-cli';
const POOL = 'default-ipv4-ippool';

export interface CliFlip {
  to: boolean;
  toWireMs: number; // process spawned -> first packet with the new source (NaN: none in 5 s)
  exitMs: number; // process spawned -> process exited
  appliedMs: number; // what the CLI printed ("applied in N ms")
}

async function helpRuns(n: number): Promise<{ node: number[]; help: number[] }> {
  const node: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < n; i++) {
    await settle(0.15, 1000);
    const a = await runNode(['-e', '']);
    node.push(a.exitMs - a.startMs);
    await settle(0.15, 1000);
    const b = await runCli(['--help']);
    if (b.code !== 0) throw new Error(`egress-lab --help exited ${b.code}: ${b.stderr}`);
    help.push(b.exitMs - b.startMs);
  }
  return { node, help };
}

async function flips(
  tap: WireTap,
  addrs: { pod: string; node: string },
  n: number,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
  label: string,
  start: boolean,
): Promise<{ flips: CliFlip[]; nat: boolean }> {
  const out: CliFlip[] = [];
  let nat = start;
  for (let i = 0; i < n; i++) {
    const to = !nat;
    const expectSrc = to ? addrs.node : addrs.pod;
    await settle(0.15, 1500);
    const patch = JSON.stringify({ spec: { natOutgoing: to } });
    const runP = runCli(['patch', 'ippool', POOL, '--name', LAB, '--patch', patch], env);
    // The spawn time is taken inside runCli; wait for the wire and the exit together.
    const r = await runP;
    if (r.code !== 0) throw new Error(`patch exited ${r.code}: ${r.stderr}`);
    const seen = await tap.waitFor((p) => p.tsMs >= r.startMs && p.src === expectSrc, 5000);
    nat = to;
    const applied = Number(/applied in (\d+) ms/.exec(r.stderr)?.[1] ?? NaN);
    out.push({
      to,
      toWireMs: seen ? seen.tsMs - r.startMs : NaN,
      exitMs: r.exitMs - r.startMs,
      appliedMs: applied,
    });
    log(
      `  ${label} flip ${i + 1} natOutgoing=${to}: on the wire after ${seen ? Math.round(seen.tsMs - r.startMs) : 'never'} ms, exit after ${Math.round(r.exitMs - r.startMs)} ms (apply ${applied} ms)`,
    );
    await sleep(200 + Math.random() * 200); // random so flips do not lock to the ping phase
  }
  return { flips: out, nat };
}

export async function benchCli(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const nHelp = o.quick ? 8 : 20;
  const nFlips = o.quick ? 6 : 20;
  const notes: string[] = [`CLI: ${cliPath()}`];
  const help = await helpRuns(nHelp);
  const nodeS = summarize(help.node);
  const helpS = summarize(help.help);
  const ratio = helpS.median / nodeS.median;
  const rows: Row[] = [
    { measure: "7 cli: node -e ''", unit: 'ms', summary: nodeS },
    { measure: '7 cli: egress-lab --help', unit: 'ms', summary: helpS },
    {
      measure: "7 cli: --help / node -e '' (ratio of medians)",
      unit: 'x',
      summary: summarize([ratio]),
      goal: '<= 2x',
      pass: ratio <= 2,
    },
  ];

  await downQuietly(ctx, LAB);
  const status = await ctx.service.up([await defaultTemplate()], { name: LAB });
  const addrs = {
    pod: address(status, 'web-1'),
    node: status.nodes.find((n) => n.name === 'node-1')!.address.split('/')[0]!,
  };
  const tap = await wireTap(ctx, LAB, 'internet', 'eth0', ['icmp[icmptype] == icmp-echo']);
  const pinger = newFlowPinger(ctx, LAB, 'web-1', address(status, 'internet'), 0.01);
  const registry = mkdtempSync(join(tmpdir(), 'egress-lab-bench-registry-'));
  const data: Record<string, unknown> = { help };
  try {
    if (!(await tap.waitFor((p) => p.src === addrs.node, 10_000)))
      throw new Error(`no ping from web-1 seen on internet (expected source ${addrs.node})`);
    // The CLI on its own: this process's registry has no server in it.
    const env = { ...process.env, EGRESS_LAB_DIRECT: '1', XDG_RUNTIME_DIR: registry };
    const direct = await flips(tap, addrs, nFlips, env, ctx.log, 'direct', true);
    data.direct = direct.flips;
    rows.push(...patchRows('direct', direct.flips));

    // Through `egress-lab serve` (a CLI that does not announce itself there does the work itself).
    const serveEnv: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: registry };
    delete serveEnv.EGRESS_LAB_DIRECT;
    const serve = await startCli(['serve'], serveEnv, /running in browser mode/);
    try {
      let announced = false;
      try {
        announced = readdirSync(join(registry, 'egress-lab', 'servers')).some((f) =>
          f.endsWith('.json'),
        );
      } catch {
        // no registry directory: a CLI from before serve announced itself
      }
      if (!announced) {
        notes.push('this CLI does not announce `serve`: no figures through serve');
      } else {
        // The first change through serve starts its resident agents (an exec each): not timed.
        const warm = await flips(tap, addrs, 1, serveEnv, ctx.log, 'serve warm-up', direct.nat);
        const viaServe = await flips(tap, addrs, nFlips, serveEnv, ctx.log, 'serve', warm.nat);
        data.serve = { warmUp: warm.flips, flips: viaServe.flips };
        rows.push(...patchRows('through serve', viaServe.flips));
        notes.push(
          `through serve: one warm-up change first (starts serve's resident agents): on the wire after ${Math.round(warm.flips[0]!.toWireMs)} ms`,
        );
      }
    } finally {
      await serve.stop();
    }
  } finally {
    await pinger.kill('TERM').catch(() => undefined);
    await tap.stop().catch(() => undefined);
    await downQuietly(ctx, LAB);
    rmSync(registry, { recursive: true, force: true });
  }
  return { id: 'cli', title: '7. CLI start-up and patch to wire', rows, data, notes };
}

function patchRows(how: string, f: CliFlip[]): Row[] {
  const wire = summarize(f.map((x) => x.toWireMs));
  const missed = f.filter((x) => !Number.isFinite(x.toWireMs)).length;
  return [
    {
      measure: `7 cli patch (${how}): process start -> new source on the wire`,
      unit: 'ms',
      summary: wire,
      goal: 'p95 <= 250 ms',
      pass: missed === 0 && wire.p95 <= 250,
      ...(missed ? { note: `${missed} flips never seen` } : {}),
    },
    {
      measure: `7 cli patch (${how}): process start -> exit`,
      unit: 'ms',
      summary: summarize(f.map((x) => x.exitMs)),
    },
    {
      measure: `7 cli patch (${how}): apply (printed)`,
      unit: 'ms',
      summary: summarize(f.map((x) => x.appliedMs)),
    },
  ];
}
