// Saves of lab records still in flight after a change returned, per lab. A change applies to
// the wire, then saves the record and lets go of the lab's lock without holding up its
// caller; whatever reads that lab's record next (another change, a status, close() before a
// CLI exits) waits for both.
export class RecordSaves {
  private readonly pending = new Map<string, Promise<void>>();

  /** `onError`: a save failed (the change is applied; only the record lags). */
  constructor(private readonly onError: (lab: string, e: Error) => void) {}

  track(lab: string, save: Promise<void>): void {
    const tracked = save.catch((e: Error) => this.onError(lab, e));
    this.pending.set(lab, tracked);
    void tracked.finally(() => {
      if (this.pending.get(lab) === tracked) this.pending.delete(lab);
    });
  }

  /** Resolves once the lab's last save has ended. */
  async of(lab: string): Promise<void> {
    await this.pending.get(lab);
  }

  /** Resolves once every save has ended. */
  async all(): Promise<void> {
    await Promise.all(this.pending.values());
  }
}
