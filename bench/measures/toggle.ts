// (2) Toggle to wire: new-flow pings from web-1 to the internet host (>= 50/s), captured
// on the host; natOutgoing flipped 20 times; time from the patch call to the first packet
// on the host's wire with the new source. Both ends read CLOCK_REALTIME (same kernel).
import { nowMs, sleep } from '../lib/clock.js';
import { address, defaultTemplate, downQuietly, type BenchContext } from '../lib/lab.js';
import type { RunOptions, Section } from '../lib/section.js';
import type { LabSource } from '../../src/service/api.js';
import { summarize } from '../lib/stats.js';
import { newFlowPinger, rateOf, wireTap } from '../lib/wire.js';

export interface Flip {
  to: boolean; // natOutgoing after the flip
  expectSrc: string;
  callReturnMs: number; // the patch call itself
  appliedMs: number; // what the service reports for the apply
  toWireMs: number; // patch call → first packet with the new source (NaN: none within 5 s)
  oldSourceAfterCall: number; // packets still with the old source after the call
}

/** `lab`/`source`: another lab to flip in (the nftables measure runs the template in nft mode). */
export async function measureToggle(
  ctx: BenchContext,
  flips: number,
  opts: {
    lab?: string;
    source?: LabSource;
    /** Another pool to flip, and its family's addresses (the IPv6 measure, ipv6.ts). */
    pool?: string;
    ipv6?: { pod: string; node: string; internet: string };
  } = {},
): Promise<{ flips: Flip[]; pps: number }> {
  const lab = opts.lab ?? 'bench-toggle';
  await downQuietly(ctx, lab);
  const status = await ctx.service.up([opts.source ?? (await defaultTemplate())], { name: lab });
  const pod = opts.ipv6?.pod ?? address(status, 'web-1');
  const node =
    opts.ipv6?.node ?? status.nodes.find((n) => n.name === 'node-1')!.address.split('/')[0]!;
  const internet = opts.ipv6?.internet ?? address(status, 'internet');
  const filter = opts.ipv6
    ? ['icmp6 and ip6[40] == 128'] // ICMPv6 echo request
    : ['icmp[icmptype] == icmp-echo'];
  const tap = await wireTap(ctx, lab, 'internet', 'eth0', filter);
  const pinger = newFlowPinger(ctx, lab, 'web-1', internet, 0.01);
  const out: Flip[] = [];
  let nat = true;
  try {
    const first = await tap.waitFor((p) => p.src === node, 10_000);
    if (!first) throw new Error(`no ping from web-1 seen on internet (expected source ${node})`);
    const t1 = nowMs();
    await sleep(1000);
    const pps = rateOf(tap.packets, t1, nowMs());
    for (let i = 0; i < flips; i++) {
      const to: boolean = !nat;
      const expectSrc = to ? node : pod;
      const oldSrc = to ? pod : node;
      const tCall = nowMs();
      const r = await ctx.service.patchPool(lab, opts.pool ?? 'default-ipv4-ippool', {
        spec: { natOutgoing: to },
      });
      const callReturnMs = nowMs() - tCall;
      const seen = await tap.waitFor((p) => p.tsMs >= tCall && p.src === expectSrc, 5000);
      nat = to;
      out.push({
        to,
        expectSrc,
        callReturnMs,
        appliedMs: r.appliedMs,
        toWireMs: seen ? seen.tsMs - tCall : NaN,
        oldSourceAfterCall: tap.packets.filter(
          (p) => p.tsMs >= tCall && p.src === oldSrc && (!seen || p.tsMs <= seen.tsMs),
        ).length,
      });
      ctx.log(
        `  flip ${i + 1} natOutgoing=${to}: on the wire after ${seen ? Math.round(seen.tsMs - tCall) : 'never'} ms (call ${Math.round(callReturnMs)} ms, apply ${r.appliedMs} ms)`,
      );
      await sleep(300 + Math.random() * 200); // settle; random so flips do not lock to the ping phase
    }
    return { flips: out, pps };
  } finally {
    await pinger.kill('TERM').catch(() => undefined);
    await tap.stop().catch(() => undefined);
    await downQuietly(ctx, lab);
  }
}

export async function benchToggle(ctx: BenchContext, o: RunOptions): Promise<Section> {
  const { flips, pps } = await measureToggle(ctx, o.quick ? 6 : 20);
  const wire = summarize(flips.map((f) => f.toWireMs));
  const missed = flips.filter((f) => !Number.isFinite(f.toWireMs)).length;
  return {
    id: 'toggle',
    title: '2. natOutgoing toggle to wire',
    rows: [
      {
        measure: '2 toggle: patch call -> new source on the wire',
        unit: 'ms',
        summary: wire,
        goal: 'p95 <= 250 ms',
        pass: missed === 0 && wire.p95 <= 250,
        note: `${Math.round(pps)} pings/s${missed ? `, ${missed} flips never seen` : ''}`,
      },
      {
        measure: '2 toggle: patch call returns',
        unit: 'ms',
        summary: summarize(flips.map((f) => f.callReturnMs)),
      },
      {
        measure: '2 toggle: apply (service appliedMs)',
        unit: 'ms',
        summary: summarize(flips.map((f) => f.appliedMs)),
      },
    ],
    data: { pps, flips },
    notes: [
      'one ping process per packet (new ICMP id, new conntrack entry): a single long-running ping keeps its first NAT mapping after a flip, as in Calico',
    ],
  };
}
