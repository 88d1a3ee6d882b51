// A capture as a user of the service gets it: LabService.live.startCapture and its
// 'capture:packet' / 'capture:dropped' events. While the live features are not in
// (they throw "not available yet"), the runtime's capture stands in, and the figures
// say which path they measured.
import type { PacketEvent } from '../../src/service/api.js';
import { nowMs } from './clock.js';
import type { BenchContext } from './lab.js';

interface SessionCounts {
  total: number;
  dropped: number;
  kernelDropped: number;
}

export interface CaptureEvents {
  path: 'service' | 'runtime';
  /** Calls onPacket for every delivered event, with the time this process got it. */
  stop(): Promise<{
    tcpdump?: { captured?: number; received?: number; dropped?: number };
    service?: { total: number; dropped: number };
  }>;
  dropped(): number;
}

export async function captureEvents(
  ctx: BenchContext,
  lab: string,
  container: string,
  iface: string,
  filter: string[],
  onPacket: (ev: { raw: string; time?: string }, atMs: number) => void,
): Promise<CaptureEvents> {
  let dropped = 0;
  try {
    const offs: (() => void)[] = [];
    let id: string | undefined;
    const early: { ev: PacketEvent; at: number }[] = [];
    offs.push(
      ctx.service.on('capture:packet', (ev) => {
        const at = nowMs();
        if (id === undefined) early.push({ ev, at });
        else if (ev.captureId === id) onPacket(ev, at);
      }),
      ctx.service.on('capture:dropped', (ev) => {
        if (ev.captureId === id) dropped = ev.dropped;
      }),
    );
    const spec = { lab, container, iface, filter: filter.join(' ') };
    // openCapture (in-process form) also exposes tcpdump's own counts after the end.
    let session: (SessionCounts & { id: string }) | undefined;
    try {
      const live = ctx.service.live as unknown as {
        openCapture?: (s: typeof spec) => Promise<SessionCounts & { id: string }>;
      };
      if (live.openCapture) {
        session = await live.openCapture(spec);
        id = session.id;
      } else ({ captureId: id } = await ctx.service.live.startCapture(spec));
    } catch (e) {
      offs.forEach((off) => off());
      throw e;
    }
    for (const e of early.splice(0)) if (e.ev.captureId === id) onPacket(e.ev, e.at);
    return {
      path: 'service',
      dropped: () => dropped,
      async stop() {
        await ctx.service.live.stopCapture(id!);
        offs.forEach((off) => off());
        return session
          ? {
              tcpdump: { dropped: session.kernelDropped },
              service: { total: session.total, dropped: session.dropped },
            }
          : {};
      },
    };
  } catch (e) {
    if (!/not available yet/.test((e as Error).message)) throw e;
  }
  const cap = ctx.runtime.capture(lab, container, { iface, filter });
  await cap.ready;
  const pump = (async () => {
    for await (const line of cap) onPacket({ raw: line }, nowMs());
  })();
  return {
    path: 'runtime',
    dropped: () => 0,
    async stop() {
      const summary = await cap.stop();
      await pump;
      return {
        tcpdump: {
          ...(summary.captured !== undefined ? { captured: summary.captured } : {}),
          ...(summary.received !== undefined ? { received: summary.received } : {}),
          ...(summary.dropped !== undefined ? { dropped: summary.dropped } : {}),
        },
      };
    },
  };
}
