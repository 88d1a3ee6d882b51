// The records of running labs as the service reads and writes them (lab-record.ts has the
// format and the file): a read waits for a save of that lab still in flight, and the
// router's name is remembered from records seen, so a change reads its record in one call.
import { checkLabName } from '../runtime/lab/names.js';
import { loadRecord, saveRecord, type LabRecord } from './lab-record.js';
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
    const running = (await rt.listLabs()).map((l) => l.name);
    throw new Error(
      `no running lab named '${lab}'` +
        (running.length ? ` (running: ${running.join(', ')})` : ' (no lab runs)'),
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

  /** Saves in the background: the next read of this lab waits for it. */
  saveLater(runtime: ServiceRuntime, record: LabRecord): void {
    this.saves.track(record.name, saveRecord(runtime, record));
  }

  /** Resolves once every save has ended. */
  settled(): Promise<void> {
    return this.saves.all();
  }
}
