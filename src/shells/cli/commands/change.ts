// What patch, apply and delete share: how a change to a running lab is made and printed.
import type { ChangeResult } from '../../../service/api.js';
import type { LabService } from '../../../service/lab-service.js';
import type { CliIO } from '../io.js';
import { printJson } from '../io.js';
import { ruleDiffText } from '../rule-diff-text.js';
import { viaServer, type ServerCall } from '../via-server.js';

/**
 * Makes a change: through a running `egress-lab serve` when the lab is named and one runs
 * for this engine (it applies through its resident agents, with its modules loaded), else
 * with a lab service of this process's own, loaded only then.
 */
export async function makeChange(
  lab: string | undefined,
  dryRun: boolean,
  remote: ((call: ServerCall, lab: string) => Promise<ChangeResult>) | undefined,
  local: (service: LabService) => Promise<ChangeResult>,
): Promise<ChangeResult> {
  if (lab !== undefined && remote) {
    const r = await viaServer(async (call) => {
      const result = await remote(call, lab);
      // As a CLI's own service does before it exits (close()), return once the change is
      // recorded in the lab too: the server answers a pool list after its record save.
      if (!dryRun) await call('pool:list', { lab });
      return result;
    });
    if (r) return r;
  }
  const { withService } = await import('../service.js');
  return withService(local);
}

/** Prints a change's outcome: calicoctl's message on stdout, timing and warnings on stderr. */
export function printChange(
  io: CliIO,
  r: ChangeResult,
  json: boolean | undefined,
  dryRun = false,
): void {
  if (json) {
    printJson(io, r);
    return;
  }
  io.out(`${r.message}${dryRun ? ' (dry run: nothing applied)' : ''}\n`);
  // The rule diff a dry run would apply, seen before it is applied.
  if (dryRun && r.diffs.length) io.out(ruleDiffText(r.diffs));
  const touched = r.diffs.map((d) => d.node);
  if (!dryRun)
    io.err(
      `applied in ${r.appliedMs} ms${touched.length ? ` (rules changed on ${touched.join(', ')})` : ' (no rule changed)'}\n`,
    );
  for (const w of r.warnings) io.err(`warning: ${w}\n`);
}
