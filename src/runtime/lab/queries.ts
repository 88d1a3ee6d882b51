// Finding what a lab owns on the engine, by label only.
import type Dockerode from 'dockerode';
import { HELPER_ROLE, LABEL_CONFIG, LABEL_LAB, LABEL_NAME, LABEL_ROLE } from './labels.js';
import type { ExistingContainer } from './reconcile.js';

export async function listLabContainers(
  docker: Dockerode,
  lab?: string,
): Promise<Dockerode.ContainerInfo[]> {
  return docker.listContainers({
    all: true,
    filters: { label: [lab === undefined ? LABEL_LAB : `${LABEL_LAB}=${lab}`] },
  });
}

/** A wiring helper (running, or exited and being removed by the engine): not part of the lab. */
export function isHelper(info: Dockerode.ContainerInfo): boolean {
  return info.Labels?.[LABEL_ROLE] === HELPER_ROLE;
}

export function asExisting(info: Dockerode.ContainerInfo): ExistingContainer {
  const l = info.Labels ?? {};
  return {
    id: info.Id,
    name: l[LABEL_NAME] ?? '',
    role: l[LABEL_ROLE] ?? '',
    state: info.State,
    configHash: l[LABEL_CONFIG] ?? '',
  };
}

export function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number })?.statusCode === 404;
}

/** Force-removes a container; gone already counts as success. Bounded by the engine's wrapper. */
export async function removeContainer(docker: Dockerode, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true });
  } catch (e) {
    const code = (e as { statusCode?: number })?.statusCode;
    if (code === 404) return;
    // 409: removal already in progress (a concurrent down): wait for it to finish.
    if (code === 409) {
      for (let i = 0; i < 50; i++) {
        try {
          await docker.getContainer(id).inspect();
        } catch (e2) {
          if (isNotFound(e2)) return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw e;
  }
}
