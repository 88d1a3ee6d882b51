// `egress-lab get KIND [NAME...]` for BGPPeer, BGPConfiguration and FelixConfiguration, from
// files (-f) or a running lab, as calicoctl prints them (calico-kinds.ts). IPPool's other names
// (`ippools`, `pool`…) go to `get ippool` unchanged; `-o name` is handled here for every kind.
import { loadResources } from '../../../core/lab-file/load.js';
import type { Command } from '../command.js';
import { SPECS } from './specs.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { readSources } from '../sources.js';
import { withService } from '../service.js';
import { RESOURCE_WORDS, resourceKindNamed } from '../resource-kinds.js';
import { runGetResource } from './get-resource.js';
import {
  IPPOOL_NAMES,
  KINDS,
  OUTPUTS,
  formatResources,
  kindNamed,
  resourcesOf,
  type Output,
  type ResourceSet,
} from '../calico-kinds.js';

const { usage } = SPECS.get;
const KIND_WORDS = [...KINDS.map((k) => k.names[0]!), 'ippool', ...RESOURCE_WORDS];

export const getCommand: Command = {
  ...SPECS.get,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        file: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        name: { type: 'string' },
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A' },
      },
      usage,
    );
    const [kindWord, ...names] = positionals;
    if (kindWord === undefined)
      throw new UsageError(`get needs a KIND (${KIND_WORDS.join(', ')})\nusage: ${usage}`);
    // Policies, network sets and Services: get-resource.ts.
    if (resourceKindNamed(kindWord)) return runGetResource(io, kindWord, names, values);
    if (values.namespace !== undefined || values['all-namespaces'])
      throw new UsageError(
        `-n and -A are for namespaced kinds (${RESOURCE_WORDS.join(', ')})\nusage: ${usage}`,
      );
    const output = values.output as Output | undefined;
    if (output !== undefined && !(OUTPUTS as readonly string[]).includes(output))
      throw new UsageError(
        `-o must be one of ${OUTPUTS.join(', ')}, got '${output}'\nusage: ${usage}`,
      );
    if (values.file && values.name)
      throw new UsageError(`give either -f FILE or --name LAB\nusage: ${usage}`);
    const isPool = IPPOOL_NAMES.includes(kindWord.toLowerCase());
    if (isPool && output !== 'name') {
      const { getIppoolCommand } = await import('./get-ippool.js');
      return getIppoolCommand.run({ io, args: args.filter((a) => a !== kindWord) });
    }
    const kind = kindNamed(kindWord);
    if (!isPool && !kind) {
      // calicoctl: "resource type '%s' is not supported" (commands/common/resources.go)
      throw new UsageError(
        `resource type '${kindWord}' is not supported (lab kinds: ${KIND_WORDS.join(', ')})\nusage: ${usage}`,
      );
    }
    const set = await readSet(io, values.file, values.name);
    const all: { name: string }[] = isPool ? set.ipPools : resourcesOf(kind!, set);
    const picked = names.length ? all.filter((r) => names.includes(r.name)) : all;
    const kindName = isPool ? 'IPPool' : kind!.kind;
    if (output === 'name')
      io.out(picked.map((r) => `${kindName.toLowerCase()}/${r.name}\n`).join(''));
    else io.out(formatResources(kind!, picked as never, output ?? 'table'));
    // libcalico-go/lib/errors/errors.go:66 — "resource does not exist: %v with error: %v",
    // one per missing name, after the ones found (get_command.go:74-80).
    const missing = names.filter((n) => !all.some((r) => r.name === n));
    for (const n of missing)
      io.err(`resource does not exist: ${kindName}(${n}) with error: <nil>\n`);
    return missing.length ? 1 : EXIT_OK;
  },
};

async function readSet(
  io: Parameters<Command['run']>[0]['io'],
  file: string | undefined,
  lab: string | undefined,
): Promise<ResourceSet & { ipPools: { name: string }[] }> {
  if (file) {
    const r = loadResources(await readSources(io, [file]));
    // A lab file: what the lab runs with (the default configurations with their defaults).
    if (r.lab) return fromLab(r.lab);
    return r;
  }
  return withService(async (s) => fromLab((await s.record(lab)).lab));
}

function fromLab(lab: import('../../../core/model/lab.js').Lab): ResourceSet & {
  ipPools: { name: string }[];
} {
  return {
    ipPools: lab.ipPools,
    bgpPeers: lab.bgpPeers,
    bgpConfigurations: [lab.bgpConfiguration],
    felixConfigurations: [lab.felixConfiguration, ...(lab.felixNodeConfigurations ?? [])],
  };
}
