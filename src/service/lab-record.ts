// What a running lab is, beyond its containers: the Lab it was built from (with every
// change applied since), its IPAM and the files it came from. Kept as JSON inside the lab's
// router container, so any process (CLI, app, a restarted service) finds it on the engine
// itself: the engine's containers and labels stay the only state, as the runtime wants.
import type { Lab } from '../core/model/lab.js';
import { planLab } from '../core/plan/plan-lab.js';
import type { IpamPlan, LabPlan } from '../core/plan/types.js';
import { LABEL_LAB, LABEL_NAME, LABEL_ROLE } from '../runtime/lab/labels.js';
import type { LabFile } from '../runtime/lab/lab-files.js';
import type { LabLock } from '../runtime/lab/lab-lock.js';
import type { LabSource } from './api.js';
import type { ServiceRuntime } from './service-runtime.js';

// Read and written through the router's resident agent once it runs (a few ms), else the
// engine's archive API (runtime/lab/lab-files.ts): a toggle does not pay for an exec.
export const STATE_DIR = '/var/lib';
export const STATE_NAME = 'egress-lab-state.json';
/** A lab's exercise progress (service/exercise.ts), beside its record. */
export const EXERCISE_PROGRESS = 'egress-lab-exercise.json';
const STATE_VERSION = 1;

export interface LabRecord {
  name: string; // the lab's name on the engine (may differ from lab.name with --name)
  lab: Lab;
  ipam: IpamPlan;
  sources: LabSource[];
}

/** The runtime calls a record read needs: find the router, read a file in it (writes go through the lock). */
type RecordRuntime = Pick<ServiceRuntime, 'docker' | 'readFile'>;

export function planOf(record: LabRecord): LabPlan {
  return planLab(record.lab, { pinnedIpam: record.ipam });
}

/** The lab-local name of the container holding the record (and the lab's lock): the router. */
export async function routerOf(runtime: RecordRuntime, name: string): Promise<string | undefined> {
  const infos = await runtime.docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_LAB}=${name}`, `${LABEL_ROLE}=router`] },
  });
  const running = infos.find((i) => i.State === 'running') ?? infos[0];
  return running?.Labels?.[LABEL_NAME];
}

function recordJson(record: LabRecord): string {
  return JSON.stringify({ version: STATE_VERSION, ...record });
}

/** The record as a file for `up` to place in the router while the lab comes up. */
export function recordFile(record: LabRecord): LabFile {
  return {
    container: record.lab.router.name,
    dir: STATE_DIR,
    name: STATE_NAME,
    content: recordJson(record),
  };
}

/**
 * Reads the record from the lab's router. `routerHint` (the router's lab-local name, known from
 * an earlier record) saves the container lookup: one read is all a change then pays.
 */
export async function loadRecord(
  runtime: RecordRuntime,
  name: string,
  routerHint?: string,
): Promise<LabRecord | undefined> {
  if (routerHint) {
    const hinted = await readRecord(runtime, name, routerHint);
    if (hinted) return hinted;
  }
  const router = await routerOf(runtime, name);
  return router ? readRecord(runtime, name, router) : undefined;
}

async function readRecord(
  runtime: RecordRuntime,
  name: string,
  router: string,
): Promise<LabRecord | undefined> {
  return parseRecord(name, await runtime.readFile(name, router, `${STATE_DIR}/${STATE_NAME}`));
}

/** Reads the record through the lab's lock (the router's agent that holds it). */
export async function loadLockedRecord(
  lock: LabLock,
  name: string,
): Promise<LabRecord | undefined> {
  return parseRecord(name, await lock.readFile(`${STATE_DIR}/${STATE_NAME}`));
}

/** Saves the record through the lab's lock: fails if the lock was lost meanwhile. */
export async function saveLockedRecord(lock: LabLock, record: LabRecord): Promise<void> {
  try {
    await lock.writeFile(recordFile(record));
  } catch (e) {
    throw new Error(`could not save the state of lab ${record.name}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

function parseRecord(name: string, body: string | undefined): LabRecord | undefined {
  if (body === undefined) return undefined; // no record yet (lab being created) or the router is gone
  const data = JSON.parse(body) as LabRecord & { version?: number };
  if (data.version !== STATE_VERSION || data.name !== name) return undefined;
  return { name: data.name, lab: data.lab, ipam: data.ipam, sources: data.sources };
}
