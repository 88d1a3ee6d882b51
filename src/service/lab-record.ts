// What a running lab is, beyond its containers: the Lab it was built from (with every
// change applied since), its IPAM and the files it came from. Kept as JSON inside the lab's
// router container, so any process (CLI, app, a restarted service) finds it on the engine
// itself: the engine's containers and labels stay the only state, as the runtime wants.
import type { Lab } from '../core/model/lab.js';
import { planLab } from '../core/plan/plan-lab.js';
import type { IpamPlan, LabPlan } from '../core/plan/types.js';
import { LABEL_LAB, LABEL_NAME, LABEL_ROLE } from '../runtime/labels.js';
import type { LabRuntime } from '../runtime/lab-runtime.js';
import type { LabSource } from './api.js';

export const STATE_DIR = '/var/lib/egress-lab';
export const STATE_FILE = `${STATE_DIR}/state.json`;
const STATE_VERSION = 1;

export interface LabRecord {
  name: string; // the lab's name on the engine (may differ from lab.name with --name)
  lab: Lab;
  ipam: IpamPlan;
  sources: LabSource[];
}

export function planOf(record: LabRecord): LabPlan {
  return planLab(record.lab, { pinnedIpam: record.ipam });
}

/** The lab-local name of the container holding the record: the router. */
async function routerOf(runtime: LabRuntime, name: string): Promise<string | undefined> {
  const infos = await runtime.docker.listContainers({
    all: true,
    filters: { label: [`${LABEL_LAB}=${name}`, `${LABEL_ROLE}=router`] },
  });
  const running = infos.find((i) => i.State === 'running') ?? infos[0];
  return running?.Labels?.[LABEL_NAME];
}

export async function saveRecord(runtime: LabRuntime, record: LabRecord): Promise<void> {
  const router = record.lab.router.name;
  const body = JSON.stringify({ version: STATE_VERSION, ...record });
  // A fixed shell line; the record travels on stdin, never in the command.
  const r = await runtime.exec(
    record.name,
    router,
    [
      'sh',
      '-c',
      `mkdir -p ${STATE_DIR} && cat > ${STATE_FILE}.new && mv ${STATE_FILE}.new ${STATE_FILE}`,
    ],
    {
      stdin: body,
    },
  );
  if (r.exitCode !== 0)
    throw new Error(`could not save the state of lab ${record.name}: ${r.stderr.trim()}`);
}

export async function loadRecord(
  runtime: LabRuntime,
  name: string,
): Promise<LabRecord | undefined> {
  const router = await routerOf(runtime, name);
  if (!router) return undefined;
  let r;
  try {
    r = await runtime.exec(name, router, ['cat', STATE_FILE]);
  } catch {
    return undefined; // router not running
  }
  if (r.exitCode !== 0) return undefined;
  const data = JSON.parse(r.stdout) as LabRecord & { version?: number };
  if (data.version !== STATE_VERSION) return undefined;
  return { name: data.name, lab: data.lab, ipam: data.ipam, sources: data.sources };
}
