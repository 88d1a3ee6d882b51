// `egress-lab get KIND [NAME...] [-n NS | -A] [-o wide|yaml|json|name] [--name LAB]` for
// policies, network sets and Services of a running lab (get.ts hands these kinds over): read
// through the service facade ('resource:list'), printed as calicoctl or kubectl prints them
// (resource-format.ts). Missing names: calicoctl's "resource does not exist: Kind(ns/name) with
// error: <nil>" (libcalico-go/lib/errors/errors.go), kubectl's `services "x" not found`.
import type { ResourceView } from '../../../core/changes/resource-views.js';
import type { CliIO } from '../io.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { formatResourceViews, type ResourceOutput } from '../resource-format.js';
import { isKubernetesKind, isNamespaced, resourceKindNamed } from '../resource-kinds.js';
import { viaServer } from '../via-server.js';
import { SPECS } from './specs.js';

const { usage } = SPECS.get;
const OUTPUTS = ['wide', 'yaml', 'json', 'name'] as const;

async function listResources(lab: string | undefined): Promise<ResourceView[]> {
  if (lab !== undefined) {
    const r = await viaServer((call) => call('resource:list', { lab }));
    if (r) return r;
  }
  const { withService } = await import('../service.js');
  return withService((s) => s.resources(lab));
}

export interface GetResourceOptions {
  output?: string;
  name?: string;
  namespace?: string;
  'all-namespaces'?: boolean;
  file?: string;
}

/** `get` of one of these kinds (get.ts parsed the arguments). */
export async function runGetResource(
  io: CliIO,
  kindWord: string,
  names: string[],
  values: GetResourceOptions,
): Promise<number> {
  const kind = resourceKindNamed(kindWord)!;
  if (values.file)
    throw new UsageError(
      `get ${kindWord} reads a running lab (--name LAB), not -f FILE\nusage: ${usage}`,
    );
  const output = values.output as ResourceOutput | undefined;
  if (output !== undefined && !(OUTPUTS as readonly string[]).includes(output))
    throw new UsageError(
      `-o must be one of ${OUTPUTS.join(', ')}, got '${output}'\nusage: ${usage}`,
    );
  const all = values['all-namespaces'] ?? false;
  if (all && names.length)
    throw new UsageError(`a resource cannot be retrieved by name across all namespaces`);
  const ns = values.namespace ?? 'default';
  const views = (await listResources(values.name)).filter(
    (v) => v.kind === kind && (!isNamespaced(kind) || all || (v.namespace ?? 'default') === ns),
  );
  const picked = names.length ? views.filter((v) => names.includes(v.name)) : views;
  if (!picked.length && !names.length && isKubernetesKind(kind))
    io.err(all ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`);
  else
    io.out(
      formatResourceViews(kind, picked, output ?? 'table', {
        single: names.length === 1,
        allNamespaces: all,
      }),
    );
  const missing = names.filter((n) => !views.some((v) => v.name === n));
  for (const n of missing) {
    if (kind === 'Service') io.err(`Error from server (NotFound): services "${n}" not found\n`);
    else if (kind === 'KubernetesNetworkPolicy')
      io.err(`Error from server (NotFound): networkpolicies.networking.k8s.io "${n}" not found\n`);
    else
      io.err(
        `resource does not exist: ${kind}(${isNamespaced(kind) ? `${ns}/` : ''}${n}) with error: <nil>\n`,
      );
  }
  return missing.length ? 1 : EXIT_OK;
}
