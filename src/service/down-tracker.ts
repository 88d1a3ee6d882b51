// Which labs are being taken down, or were lately: a status read while a lab was being
// removed may show it still running, and the watcher must not bring it back on screen.
const ALL_LABS = '\0all';

export class DownTracker {
  private readonly downs = new Map<string, { running: boolean; doneAt: number }>();

  async run<T>(target: string | { all: true }, fn: () => Promise<T>): Promise<T> {
    const key = typeof target === 'string' ? target : ALL_LABS;
    this.downs.set(key, { running: true, doneAt: 0 });
    try {
      return await fn();
    } finally {
      this.downs.set(key, { running: false, doneAt: Date.now() });
    }
  }

  /** Whether a status of `lab` read since `since` may be stale (the lab was being removed). */
  since(lab: string, since: number): boolean {
    return [this.downs.get(lab), this.downs.get(ALL_LABS)].some(
      (d) => d && (d.running || d.doneAt >= since),
    );
  }
}
