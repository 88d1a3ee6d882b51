// Pushes what changes in running labs without anyone asking: container state (from the
// engine's event stream), BGP session state (polled, since BIRD has no event feed), and the
// pools and tunnels of the lab's record (polled: another process, e.g. the CLI, may patch it).
// Started only when a shell subscribes to lab events, so the CLI never pays for it.
import type { LabStatus } from './api.js';
import type { WatchContext } from './service-context.js';
import { LABEL_LAB, LABEL_NAME } from '../runtime/lab/labels.js';
import { tunnelLabel } from '../core/plan/tunnels.js';

const POLL_MS = 3000;

/**
 * What a person watching the lab would call a change: container and BGP states, and the pools
 * and tunnels the lab's record holds — a patch made from the CLI (another process) changes only
 * the record, and the app must redraw its pools and tunnels then too.
 */
export function statusDigest(s: LabStatus): string {
  const containers = s.containers
    .map(
      (c) =>
        `${c.name}:${c.state}:${(c.bgp ?? []).map((b) => `${b.neighbor}=${b.state}`).join(',')}`,
    )
    .sort()
    .join('|');
  return `${containers}#${JSON.stringify(s.pools)}#${tunnelDigest(s)}`;
}

function tunnelDigest(s: LabStatus): string {
  const t = s.tunnels;
  if (!t) return '';
  return JSON.stringify([t.tunnels.map((x) => [x.a, x.b, tunnelLabel(x)]), t.wireguard]);
}

/** Human-readable differences between two statuses of one lab, for the event log. */
export function statusChanges(before: LabStatus | undefined, after: LabStatus): string[] {
  const out: string[] = [];
  for (const c of after.containers) {
    const old = before?.containers.find((x) => x.name === c.name);
    if (!old || old.state !== c.state) out.push(`${c.name} is ${c.state}`);
    for (const b of c.bgp ?? []) {
      const ob = old?.bgp?.find((x) => x.neighbor === b.neighbor);
      if (!ob || ob.state !== b.state) out.push(`BGP ${c.name} ↔ ${b.neighbor}: ${b.state}`);
    }
  }
  if (!before) return out;
  for (const pool of after.pools) {
    const old = before.pools.find((x) => x.name === pool.name);
    if (!old) out.push(`pool ${pool.name} created`);
    else if (JSON.stringify(old) !== JSON.stringify(pool)) out.push(`pool ${pool.name} changed`);
  }
  for (const old of before.pools)
    if (!after.pools.some((x) => x.name === old.name)) out.push(`pool ${old.name} deleted`);
  if (tunnelDigest(before) !== tunnelDigest(after)) {
    const labels = [...new Set((after.tunnels?.tunnels ?? []).map(tunnelLabel))];
    out.push(`tunnels: ${labels.length ? labels.join(', ') : 'none'}`);
  }
  return out;
}

export class LabWatcher {
  private timer: NodeJS.Timeout | undefined;
  private events: NodeJS.ReadableStream | undefined;
  private readonly last = new Map<string, LabStatus>();
  private refreshing = false;
  private stopped = false;
  private following = false;

  constructor(private readonly service: WatchContext) {}

  start(): void {
    this.stopped = false;
    this.startFollowing();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    (this.events as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    this.events = undefined;
  }

  /** Follows the engine's events; without an engine, tries again at the next poll. */
  private startFollowing(): void {
    if (this.following || this.events) return;
    this.following = true;
    void this.follow()
      .catch(() => undefined)
      .finally(() => (this.following = false));
  }

  private async follow(): Promise<void> {
    // The reading runtime: connects to an engine that answers, never installs or starts one.
    const rt = await this.service.runtime();
    if (this.stopped) return;
    const stream = await rt.docker.getEvents({
      filters: { type: ['container'], label: [LABEL_LAB] },
    });
    this.events = stream;
    // An engine restart ends the stream: follow again at the next poll.
    const lost = (): void => {
      if (this.events === stream) this.events = undefined;
    };
    stream.on('end', lost);
    stream.on('error', lost);
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const ev = JSON.parse(line) as {
            Action?: string;
            Actor?: { Attributes?: Record<string, string> };
          };
          const attrs = ev.Actor?.Attributes ?? {};
          const lab = attrs[LABEL_LAB];
          if (
            lab &&
            ['start', 'die', 'destroy', 'pause', 'unpause', 'restart'].includes(ev.Action ?? '')
          ) {
            this.service.emit('lab:event', {
              lab,
              kind: 'container',
              message: `${attrs[LABEL_NAME] ?? attrs.name ?? 'a container'}: ${ev.Action}`,
              at: Date.now(),
            });
            void this.refresh().catch(() => undefined);
          }
        } catch {
          // a partial or foreign line: ignore
        }
      }
    });
  }

  /** Re-reads every lab's status and pushes those that changed. */
  async refresh(): Promise<void> {
    if (this.refreshing || this.stopped) return;
    this.startFollowing();
    this.refreshing = true;
    const started = Date.now();
    try {
      const statuses = await this.service.status();
      for (const s of statuses) {
        if (this.service.downSince(s.name, started)) {
          this.last.delete(s.name);
          continue; // read while the lab was being removed: stale
        }
        const before = this.last.get(s.name);
        if (before && statusDigest(before) === statusDigest(s)) continue;
        this.last.set(s.name, s);
        if (!before) continue; // first sight: nothing to report yet
        for (const message of statusChanges(before, s)) {
          this.service.emit('lab:event', {
            lab: s.name,
            kind: message.startsWith('BGP')
              ? 'bgp'
              : /^(pool|tunnels)/.test(message)
                ? 'change'
                : 'container',
            message,
            at: Date.now(),
          });
        }
        this.service.emit('lab:changed', { lab: s.name, status: s });
      }
      for (const name of [...this.last.keys()])
        if (!statuses.some((s) => s.name === name)) this.last.delete(name);
    } finally {
      this.refreshing = false;
    }
  }
}
