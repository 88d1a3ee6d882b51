// Creating and starting one container with its main process already attached.
import type Dockerode from 'dockerode';
import { ApplyAgent } from '../../agent/apply-agent.js';
import { withEngineDeadline } from '../../engine/deadline.js';

export interface Started {
  container: Dockerode.Container;
  agent: ApplyAgent;
}

/**
 * Creates and starts, attached to the main process before the start: a BOOT_CMD agent
 * (`boot`), or the wiring helper's own request loop.
 */
export async function createAndStart(
  docker: Dockerode,
  opts: Dockerode.ContainerCreateOptions,
  boot: boolean,
): Promise<Started> {
  const container = await withEngineDeadline(
    `the creation of container ${opts.name ?? ''}`,
    docker.createContainer(opts),
  );
  const agent = await ApplyAgent.attach(container, boot);
  try {
    await withEngineDeadline(
      `the start of container ${opts.name ?? ''}`,
      container.start() as Promise<unknown>,
    );
  } catch (e) {
    agent.close();
    throw e;
  }
  return { container, agent };
}
