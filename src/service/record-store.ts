// The records of running labs as the service reads and writes them (lab-record.ts has the
// format and the file): a read waits for a save of that lab still in flight, and the
// router's name is remembered from records seen, so a change reads its record in one call.
// A change reads and saves under the lab's lock (runtime/lab/lab-lock.ts), held in the
// router across processes from the read until its save is done.
import { LabBusyError, type LabLock, type LockOptions } from '../runtime/lab/lab-lock.js';
import { checkLabName } from '../runtime/lab/names.js';
import {
  loadLockedRecord,
  loadRecord,
  routerOf,
  saveLockedRecord,
  type LabRecord,
} from './lab-record.js';
import { RecordSaves } from './record-saves.js';
import type { ServiceRuntime } from './service-runtime.js';

export class RecordStore {
  private readonly routers = new Map<string, string>();
  private readonly saves: RecordSaves;

  /** `onSaveError`: a background save failed (the change is applied; the record lags). */
  constructor(
    private readonly runtime: () => Promise<ServiceRuntime>,
    onSaveError: (lab: string, e: Error) => void,
  ) {
    this.saves = new RecordSaves(onSaveError);
  }

  /** The running lab's record; throws naming the labs that run when it has none. */
  async get(lab: string): Promise<LabRecord> {
    const rt = await this.runtime();
    await this.saves.of(lab);
    const record = await loadRecord(rt, checkLabName(lab), this.routers.get(lab));
    if (record) {
      this.routers.set(lab, record.lab.router.name);
      return record;
    }
    throw await this.noLab(lab);
  }

  private async noLab(lab: string): Promise<Error> {
    const running = (await (await this.runtime()).listLabs()).map((l) => l.name);
    return new Error(
      `no running lab named '${lab}'` +
        (running.length ? ` (running: ${running.join(', ')})` : ' (no lab runs)'),
    );
  }

  /**
   * Takes the lab's change lock, then reads the record under it: no other process changes
   * the lab until `saveLocked` (or `lock.release`). Waits while another process holds it
   * (LabBusyError past the wait); throws naming the labs that run when the lab has none.
   */
  async lock(lab: string, opts: LockOptions): Promise<{ record: LabRecord; lock: LabLock }> {
    const held = await this.lockIfThere(checkLabName(lab), opts, true);
    if (held?.record) return { record: held.record, lock: held.lock };
    await held?.lock.release(held.lock.interrupted === undefined);
    throw await this.noLab(lab);
  }

  /**
   * The lock and record of a lab whose router runs (`up` of a running lab), or undefined
   * (a new lab: nothing to lock yet, or a router that cannot take it). Busy: throws.
   */
  async lockIfRunning(
    lab: string,
    opts: LockOptions,
  ): Promise<{ record: LabRecord | undefined; lock: LabLock } | undefined> {
    return this.lockIfThere(lab, opts, false);
  }

  private async lockIfThere(
    lab: string,
    opts: LockOptions,
    strict: boolean,
  ): Promise<{ record: LabRecord | undefined; lock: LabLock } | undefined> {
    const rt = await this.runtime();
    await this.saves.of(lab);
    const at = async (router: string): Promise<LabLock> => rt.lockLab(lab, router, opts);
    let lock: LabLock | undefined;
    const hint = this.routers.get(lab);
    if (hint) lock = await at(hint).catch(rethrowBusy);
    if (!lock) {
      this.routers.delete(lab); // the hint was stale (the lab re-created), or none
      const router = await routerOf(rt, lab);
      if (!router) return undefined;
      lock = await (strict ? at(router) : at(router).catch(rethrowBusy));
      if (!lock) return undefined;
    }
    try {
      const record = await loadLockedRecord(lock, lab);
      if (record) this.routers.set(lab, record.lab.router.name);
      return { record, lock };
    } catch (e) {
      await lock.release(lock.interrupted === undefined);
      throw e;
    }
  }

  /**
   * Saves the record under the lock in the background, then lets go: the next read of this
   * lab waits for both. A failed save leaves the lock's mark, so the next change re-applies
   * everything from the record as it is.
   */
  saveLocked(lock: LabLock, record: LabRecord): void {
    this.saves.track(
      record.name,
      saveLockedRecord(lock, record).then(
        () => lock.release(true),
        async (e: Error) => {
          await lock.release(false);
          throw e;
        },
      ),
    );
  }

  /** The record if the lab has one (once its pending save is done), else undefined. */
  async find(lab: string): Promise<LabRecord | undefined> {
    await this.saves.of(lab);
    return loadRecord(await this.runtime(), lab).catch(() => undefined);
  }

  /** The record as it is on the engine now, without waiting for a save (status reads). */
  async peek(lab: string): Promise<LabRecord | undefined> {
    return loadRecord(await this.runtime(), lab).catch(() => undefined);
  }

  /** Resolves once every save has ended. */
  settled(): Promise<void> {
    return this.saves.all();
  }
}

/** A busy lock is an answer to pass on; any other failure only means there is none to take. */
function rethrowBusy(e: unknown): undefined {
  if (e instanceof LabBusyError) throw e;
  return undefined;
}
