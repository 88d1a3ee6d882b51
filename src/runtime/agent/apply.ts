// applyDataplane: one exec per container, all containers in parallel. Each apply is
// atomic in the container (APPLY_SCRIPT validates before it commits).
import type Dockerode from 'dockerode';
import type { ContainerPlan } from '../../core/plan/types.js';
import { APPLY_SCRIPT, applyInputTar, type ApplyInputOptions } from './apply-input.js';
import { mapLimit } from '../util/concurrency.js';
import { ApplyAgent, type AgentPool } from './apply-agent.js';
import { execCollect, type ExecResult } from '../engine/exec.js';
import { dockerName } from '../lab/names.js';
import type { ApplyOutcome } from '../lab/types.js';

export class ApplyError extends Error {
  readonly outcomes: ApplyOutcome[];
  constructor(outcomes: ApplyOutcome[]) {
    const bad = outcomes.filter((o) => !o.ok);
    super(bad.map((o) => `${o.container}: ${o.error}`).join('\n'));
    this.name = 'ApplyError';
    this.outcomes = outcomes;
  }
}

export interface ApplyOptions extends ApplyInputOptions {
  /** A pool to take the container's agent from, or the agent itself (`up`'s boot agents). */
  agents?: AgentPool | ApplyAgent;
}

export async function applyOne(
  docker: Dockerode,
  lab: string,
  c: ContainerPlan,
  opts: ApplyOptions = {},
): Promise<ApplyOutcome> {
  const { agents, ...inputOpts } = opts;
  const started = performance.now();
  let input: Buffer;
  try {
    input = applyInputTar(c, inputOpts); // bad input is refused here, before any exec
  } catch (e) {
    return { container: c.name, ok: false, ms: 0, error: `rejected: ${(e as Error).message}` };
  }
  const container = docker.getContainer(dockerName(lab, c.name));
  try {
    const agent =
      agents instanceof ApplyAgent
        ? agents
        : agents
          ? await agents.get(docker, lab, dockerName(lab, c.name))
          : undefined;
    const viaExec = (): Promise<ExecResult> =>
      execCollect(container, ['sh', '-c', APPLY_SCRIPT, 'egress-lab-apply'], {
        stdin: input,
        timeoutMs: 60_000,
      });
    // The resident agent when there is one; a plain exec when it is missing or fails.
    const r = agent ? await agent.run(input).catch(viaExec) : await viaExec();
    const ms = Math.round(performance.now() - started);
    if (r.exitCode === 0) return { container: c.name, ok: true, ms };
    const why = r.stderr.trim() || r.stdout.trim() || `exit ${r.exitCode}`;
    return { container: c.name, ok: false, ms, error: why };
  } catch (e) {
    const code = (e as { statusCode?: number }).statusCode;
    const why =
      code === 404 || code === 409
        ? `container ${dockerName(lab, c.name)} is missing or not running (run up to restore the lab)`
        : (e as Error).message;
    return {
      container: c.name,
      ok: false,
      ms: Math.round(performance.now() - started),
      error: why,
    };
  }
}

/** Applies every plan; throws ApplyError naming each container that failed (the others are applied). */
export async function applyAll(
  docker: Dockerode,
  lab: string,
  plans: readonly ContainerPlan[],
  concurrency = 16,
  agents?: AgentPool,
  full = false,
): Promise<ApplyOutcome[]> {
  const outcomes = await mapLimit(plans, concurrency, (c) =>
    applyOne(docker, lab, c, { agents, full }),
  );
  if (outcomes.some((o) => !o.ok)) throw new ApplyError(outcomes);
  return outcomes;
}
