// Pushes what changes in running labs without anyone asking: container state (from the
// engine's event stream) and BGP session state (polled, since BIRD has no event feed).
// Started only when a shell subscribes to lab events, so the CLI never pays for it.
import type { LabStatus } from './api.js';
import type { WatchContext } from './service-context.js';
import { LABEL_LAB, LABEL_NAME } from '../runtime/lab/labels.js';

const POLL_MS = 3000;

/** What a person watching the lab would call a change: container states and BGP states. */
export function statusDigest(s: LabStatus): string {
  return s.containers
    .map(
      (c) =>
        `${c.name}:${c.state}:${(c.bgp ?? []).map((b) => `${b.neighbor}=${b.state}`).join(',')}`,
    )
    .sort()
    .join('|');
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
            kind: message.startsWith('BGP') ? 'bgp' : 'container',
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
