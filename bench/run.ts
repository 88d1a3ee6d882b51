// `npm run bench [-- --quick] [-- --only=up,toggle,...,cli]`: runs the measurements of issue 7
// (1-6), the CLI's start-up and patch to wire (7, `cli`) and parsing at the size limit (8,
// `parse`) against the local engine, writes
// bench/results/<date>.json (and latest.json, latest.md) and prints a table of medians and p95.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { nowMs } from './lib/clock.js';
import { benchContext, type BenchContext } from './lib/lab.js';
import { loadAverage, machineInfo, otherContainers } from './lib/machine.js';
import type { RunOptions, Section } from './lib/section.js';
import { formatTable } from './lib/table.js';
import { updateResultsMd } from './lib/results-md.js';
import { benchCaptureLatency, benchCaptureLoad } from './measures/capture.js';
import { benchCli } from './measures/cli.js';
import { benchParse } from './measures/parse.js';
import { benchRules, benchScale } from './measures/scale.js';
import { benchToggle } from './measures/toggle.js';
import { benchNftRules, benchNftToggle } from './measures/nftables.js';
import { benchServices } from './measures/services.js';
import { benchServiceChange } from './measures/service-change.js';
import { benchIpv6Toggle } from './measures/ipv6.js';
import { benchUp } from './measures/up.js';
import { benchPolicy } from './measures/policy.js';
import { benchVxlanToggle, benchVxlanUp } from './measures/encap.js';
import { benchWorkshop } from './measures/workshop.js';

type Measure = (ctx: BenchContext, o: RunOptions) => Promise<Section>;

const MEASURES: { id: string; quick: boolean; run: () => Promise<Measure> }[] = [
  { id: 'up', quick: true, run: async () => benchUp },
  { id: 'toggle', quick: true, run: async () => benchToggle },
  { id: 'capture-latency', quick: true, run: async () => benchCaptureLatency },
  { id: 'capture-load', quick: false, run: async () => benchCaptureLoad },
  { id: 'scale', quick: false, run: async () => benchScale },
  { id: 'rules', quick: false, run: async () => benchRules },
  { id: 'cli', quick: true, run: async () => benchCli },
  { id: 'parse', quick: true, run: async () => benchParse },
  { id: 'nft-toggle', quick: false, run: async () => benchNftToggle },
  { id: 'nft-rules', quick: false, run: async () => benchNftRules },
  { id: 'policy', quick: false, run: async () => benchPolicy },
  { id: 'vxlan-up', quick: false, run: async () => benchVxlanUp },
  { id: 'vxlan-toggle', quick: false, run: async () => benchVxlanToggle },
  { id: 'services', quick: false, run: async () => benchServices },
  { id: 'service-change', quick: false, run: async () => benchServiceChange },
  { id: 'ipv6-toggle', quick: false, run: async () => benchIpv6Toggle },
  { id: 'workshop', quick: false, run: async () => benchWorkshop },
];

function parseArgs(argv: string[]): RunOptions & { only?: string[] } {
  const quick = argv.includes('--quick');
  const only = argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  for (const a of argv)
    if (a !== '--quick' && !a.startsWith('--only='))
      throw new Error(`bench: unknown argument ${a}`);
  return { quick, ...(only ? { only } : {}) };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const log = (line: string): void => void process.stderr.write(line + '\n');
  const ctx = await benchContext(log);
  const machine = await machineInfo(ctx.docker);
  const before = { others: await otherContainers(ctx.docker), load1: loadAverage() };
  const chosen = MEASURES.filter((m) =>
    opts.only ? opts.only.includes(m.id) : !opts.quick || m.quick,
  );
  const sections: Section[] = [];
  const failures: { id: string; error: string }[] = [];
  const t0 = nowMs();
  for (const m of chosen) {
    log(`== ${m.id}`);
    try {
      sections.push(await (await m.run())(ctx, opts));
    } catch (e) {
      const error = (e as Error).stack ?? String(e);
      log(`  ${m.id} FAILED: ${error}`);
      failures.push({ id: m.id, error });
    }
  }
  const after = { others: await otherContainers(ctx.docker), load1: loadAverage() };
  await ctx.service.close();
  const result = {
    machine,
    quick: opts.quick,
    durationS: Math.round((nowMs() - t0) / 1000),
    engineUse: { before, after },
    sections,
    failures,
  };
  const rows = sections.flatMap((s) => s.rows);
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const stamp = machine.date.replace(/[:.]/g, '-');
  const json = JSON.stringify(result, null, 2);
  await writeFile(`${dir}${opts.quick ? 'quick-' : ''}${stamp}.json`, json);
  await writeFile(`${dir}latest${opts.quick ? '-quick' : ''}.json`, json);
  const md = [
    `Run ${machine.date}${opts.quick ? ' (--quick)' : ''}: ${machine.nproc} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, kernel ${machine.kernel}, Docker ${machine.docker} (API ${machine.dockerApi}, ${machine.storageDriver}), Node ${machine.node}; ${result.durationS} s.`,
    `Other running containers at start: ${before.others.length} (load ${before.load1}), at end: ${after.others.length} (load ${after.load1}).`,
    '',
    formatTable(rows, true),
    '',
    ...sections.flatMap((s) => s.notes.map((n) => `- ${s.id}: ${n}`)),
    ...failures.map((f) => `- FAILED ${f.id}: ${f.error.split('\n')[0]}`),
  ].join('\n');
  // A full run (all seven measurements) keeps bench/RESULTS.md's figures current.
  if (!opts.quick && !opts.only) await updateResultsMd(md);
  process.stdout.write('\n' + formatTable(rows) + '\n');
  for (const s of sections) for (const n of s.notes) process.stdout.write(`  ${s.id}: ${n}\n`);
  for (const f of failures) process.stdout.write(`FAILED ${f.id}: ${f.error.split('\n')[0]}\n`);
  process.stdout.write(`\nresults: ${dir}latest${opts.quick ? '-quick' : ''}.json\n`);
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((e: Error) => {
  process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
