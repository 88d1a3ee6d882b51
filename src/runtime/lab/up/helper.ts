// The wiring helper of one `up`: started as soon as one lab container runs (it joins that
// one's network namespace), overlapping the other starts.
import type Dockerode from 'dockerode';
import { randomBytes } from 'node:crypto';
import { helperCreateOptions } from '../containers.js';
import { removeContainer } from '../queries.js';
import { createAndStart, type Started } from './create.js';

export interface WiringHelper {
  /**
   * The ID of a running lab container for the helper to join, or `undefined`: no helper
   * (`up` failed early). The first call decides; later ones change nothing.
   */
  owner(id: string | undefined): void;
  /** The helper once it runs; `undefined` when there is none. Never rejects unseen. */
  readonly started: Promise<Started | undefined>;
  /** Closes and removes the helper (a failed `up`), or sees that none starts. */
  remove(): Promise<void>;
}

/**
 * The helper in the network namespace of the running lab container `owner`; in a
 * namespace of its own if that fails (the owner stopped in the meantime).
 */
async function startHelper(
  docker: Dockerode,
  lab: string,
  image: string,
  owner: string,
): Promise<Started> {
  const suffix = randomBytes(3).toString('hex');
  try {
    return await createAndStart(docker, helperCreateOptions(lab, image, suffix, owner), false);
  } catch {
    await removeContainer(docker, helperCreateOptions(lab, image, suffix).name!).catch(
      () => undefined,
    );
    return createAndStart(docker, helperCreateOptions(lab, image, `${suffix}n`), false);
  }
}

export function wiringHelper(docker: Dockerode, lab: string, image: string): WiringHelper {
  let netnsOwner!: (id: string | undefined) => void;
  const started: Promise<Started | undefined> = new Promise<string | undefined>(
    (resolve) => (netnsOwner = resolve),
  ).then((id) => (id === undefined ? undefined : startHelper(docker, lab, image, id)));
  started.catch(() => undefined);
  return {
    owner: (id) => netnsOwner(id),
    started,
    async remove() {
      netnsOwner(undefined);
      const h = await started.catch(() => undefined);
      h?.agent.close();
      if (h) await removeContainer(docker, h.container.id).catch(() => undefined);
    },
  };
}
