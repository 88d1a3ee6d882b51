// calicoctl's `create -f`, `replace -f` and `delete -f` over the lab's apply and delete: the
// resources in the files are checked against the running lab first (create: none may exist;
// replace and delete: all must), then applied together. Messages as calicoctl prints them
// (projectcalico/calico 87c15906f2, calicoctl/calicoctl/commands/crud_commands.go):
//   :160/:162  "Successfully %s %d '%s' resource(s)" / "Successfully %s %d resource(s)"
//   :152-156   "failed to %s '%s' resource: %v" / "failed to %s any '%s' resources: %v" /
//              "failed to %s any resources: %v" (%v of the list of errors: "[e1 e2]")
// and libcalico-go/lib/errors/errors.go:66 and :109 for each error:
//   "resource does not exist: Kind(name) with error: <nil>",
//   "resource already exists: Kind(name) with error: <nil>".
// The lab changes all or nothing, so where calicoctl would report a partial success, nothing
// is changed and every failing resource is listed.
import { loadResources } from '../../../core/lab-file/load.js';
import type { Lab } from '../../../core/model/lab.js';
import type { ChangeResult } from '../../../service/api.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { CheckFailedError, EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources, type Source } from '../sources.js';
import { withService } from '../service.js';
import { printChange } from './change.js';
import { isPolicyKind, policyResourceNames } from '../../../core/changes/policy-names.js';
import { withoutPolicyResource } from '../../../core/changes/policy-changes.js';
import {
  serviceEntryName,
  serviceNotFound,
  withoutService,
} from '../../../core/changes/service-changes.js';
import type { ServiceEntry } from '../../../core/lab-file/entries.js';

type Action = 'create' | 'replace' | 'delete';
const PAST: Record<Action, string> = { create: 'created', replace: 'replaced', delete: 'deleted' };

interface Named {
  kind: string;
  name: string;
}

/** The resources named in the files, in order. */
export function resourcesIn(sources: Source[]): Named[] {
  const services: ServiceEntry[] = [];
  const r = loadResources(sources, { services });
  if (r.lab) throw new UsageError('give Calico resources, not a lab file (apply takes those)');
  return [
    ...[...r.ipPools, ...r.bgpConfigurations, ...r.bgpPeers, ...r.felixConfigurations].map((x) => ({
      kind: x.kind,
      name: x.name,
    })),
    ...policyResourceNames(r),
    ...services.map((e) => ({ kind: 'Service', name: serviceEntryName(e) })),
  ];
}

function existsIn(lab: Lab, r: Named): boolean {
  if (isPolicyKind(r.kind)) return withoutPolicyResource(lab, r.kind, r.name) !== undefined;
  if (r.kind === 'Service') return withoutService(lab, r.name) !== undefined;
  switch (r.kind) {
    case 'IPPool':
      return lab.ipPools.some((p) => p.name === r.name);
    case 'BGPPeer':
      return lab.bgpPeers.some((p) => p.name === r.name);
    case 'BGPConfiguration':
      return lab.bgpConfiguration.name === r.name;
    default:
      return [lab.felixConfiguration, ...(lab.felixNodeConfigurations ?? [])].some(
        (f) => f.name === r.name,
      );
  }
}

/** One kind for all resources, or '' (calicoctl's SingleKind). */
function singleKind(rs: readonly Named[]): string {
  return rs.every((r) => r.kind === rs[0]?.kind) ? (rs[0]?.kind ?? '') : '';
}

export function successMessage(action: Action, rs: readonly Named[]): string {
  const kind = singleKind(rs);
  return kind
    ? `Successfully ${PAST[action]} ${rs.length} '${kind}' resource(s)`
    : `Successfully ${PAST[action]} ${rs.length} resource(s)`;
}

export function failureMessage(action: Action, rs: readonly Named[], errors: string[]): string {
  const kind = singleKind(rs);
  const list = `[${errors.join(' ')}]`;
  if (rs.length === 1) return `failed to ${action} '${kind}' resource: ${list}`;
  return kind
    ? `failed to ${action} any '${kind}' resources: ${list}`
    : `failed to ${action} any resources: ${list}`;
}

/** What stops the action, as libcalico-go words it, one per resource. */
export function conflicts(action: Action, lab: Lab, rs: readonly Named[]): string[] {
  return rs.flatMap((r) => {
    const exists = existsIn(lab, r);
    // A Service is Kubernetes' (kubectl's AlreadyExists / NotFound words).
    if (r.kind === 'Service') {
      const bare = r.name.split('/').pop()!;
      if (action === 'create' && exists) return [`services "${bare}" already exists`];
      if (action !== 'create' && !exists) return [serviceNotFound(r.name)];
      return [];
    }
    if (action === 'create' && exists)
      return [`resource already exists: ${r.kind}(${r.name}) with error: <nil>`];
    if (action !== 'create' && !exists)
      return [`resource does not exist: ${r.kind}(${r.name}) with error: <nil>`];
    return [];
  });
}

function makeCommand(action: Action, spec: (typeof SPECS)['create' | 'replace' | 'deleteFile']) {
  const command: Command = {
    ...spec,
    async run({ io, args }) {
      const { values, positionals } = parseCommandArgs(
        args,
        {
          file: { type: 'string', short: 'f', multiple: true },
          name: { type: 'string' },
          'dry-run': { type: 'boolean' },
          json: { type: 'boolean' },
        },
        spec.usage,
      );
      if (positionals.length) {
        const hint = action === 'delete' ? ' (delete ippool NAME deletes one pool by name)' : '';
        throw new UsageError(
          `unexpected argument '${positionals[0]}'${hint}\nusage: ${spec.usage}`,
        );
      }
      const files = values.file ?? [];
      if (!files.length) throw new UsageError(`${action} needs -f FILE\nusage: ${spec.usage}`);
      const sources = await readSources(io, files);
      const resources = resourcesIn(sources);
      if (!resources.length) {
        io.out('No resources specified\n'); // crud_commands.go:149
        return EXIT_OK;
      }
      const dryRun = values['dry-run'] ?? false;
      const result = await withService(async (s) => {
        const lab = values.name ?? (await s.onlyLab());
        const errors = conflicts(action, (await s.record(lab)).lab, resources);
        if (errors.length) throw new CheckFailedError(failureMessage(action, resources, errors));
        // Every kind the lab models, together, as one change (previewed with --dry-run).
        const r: ChangeResult =
          action === 'delete'
            ? await s.deleteResources(
                lab,
                resources.map((x) => ({ kind: x.kind, name: x.name })),
                dryRun,
              )
            : await s.apply(lab, sources, dryRun);
        return { ...r, message: successMessage(action, resources) };
      });
      printChange(io, result, values.json, dryRun);
      return EXIT_OK;
    },
  };
  return command;
}

export const createCommand = makeCommand('create', SPECS.create);
export const replaceCommand = makeCommand('replace', SPECS.replace);
export const deleteFileCommand = makeCommand('delete', SPECS.deleteFile);
