// Public entry points: lab files (YAML text) → validated Lab / Calico resources, or a
// LabInputError carrying every problem found, each with FILE:LINE:COL.
import { ipv6Warnings } from './checks-ipv6.js';
import { LabInputError, printableProblem, type Problem } from '../errors.js';
import type { BGPConfiguration, BGPPeer, FelixConfiguration, IPPool } from '../model/calico.js';
import type { Lab } from '../model/lab.js';
import type { NetworkSet, Policy } from '../model/policy.js';
import { checkpointProblems } from './lab-exercise.js';
import { checkLab } from './checks.js';
import { encapProblems, encapWarnings } from './encap-checks.js';
import { collectEntries, type ServiceEntry } from './entries.js';
import { bpfRefusal } from './felix-placement.js';
import { buildLab } from './lab-builder.js';
import { validateEntries } from './resources.js';
import { SourceIndex } from './source-index.js';
import { documentStart, parseSources, type LabSource } from './source.js';

export interface LoadedResources {
  lab?: Lab;
  /** "not modelled: …" and other differences from Calico, positioned like problems. */
  warnings: Problem[];
  ipPools: IPPool[];
  bgpConfigurations: BGPConfiguration[];
  bgpPeers: BGPPeer[];
  felixConfigurations: FelixConfiguration[];
  policies?: Policy[];
  networkSets?: NetworkSet[];
}

export interface LoadResult extends LoadedResources {
  /** Where every resource and field came from (for later problems and the editor). */
  index: SourceIndex;
  problems: Problem[];
  /** Fields the lab accepts but does not follow, and how it differs ("not modelled: …"). */
  warnings: Problem[];
}

/** Loads without throwing: the resources that validated and every problem, in file order. */
export function loadSources(
  sources: readonly LabSource[],
  opts: { requireLab?: boolean; services?: ServiceEntry[] } = {},
): LoadResult {
  const index = new SourceIndex();
  const parsed = parseSources(sources);
  const problems: Problem[] = [...parsed.problems];
  const { entries, problems: entryProblems } = collectEntries(
    parsed.documents,
    opts.services ? { services: opts.services } : {},
  );
  problems.push(...entryProblems);
  const {
    resources,
    problems: resourceProblems,
    warnings: resourceWarnings,
  } = validateEntries(entries, index);
  problems.push(...resourceProblems);
  const warnings: Problem[] = [...resourceWarnings];

  const labEntries = entries.filter((e) => e.kind === 'Lab');
  let lab: Lab | undefined;
  for (const extra of labEntries.slice(1)) {
    problems.push({
      position: documentStart(extra.pd),
      kind: 'Lab',
      name: extra.name,
      message: 'only one Lab document is allowed; the Calico resources follow it',
    });
  }
  const labEntry = labEntries[0];
  if (labEntry) {
    if (labEntry.pd.index !== 0) {
      problems.push({
        position: documentStart(labEntry.pd),
        kind: 'Lab',
        name: labEntry.name,
        message: 'the Lab document must be the first document of its file',
      });
    }
    const built = buildLab(labEntry, resources, index);
    problems.push(...built.problems);
    warnings.push(...built.warnings);
    // Cross checks need a whole lab; a lab with errors of its own is not checked further.
    if (built.lab && problems.length === 0) {
      problems.push(...checkLab(built.lab, index, { autoPool: built.autoPool }));
      problems.push(...encapProblems(built.lab, index));
      warnings.push(...encapWarnings(built.lab, index));
      if (problems.length === 0) problems.push(...checkpointProblems(built.lab, index));
    }
    if (built.lab) warnings.push(...ipv6Warnings(built.lab, index));
    lab = built.lab;
    // The lab carries its warnings: the record of a running lab keeps them with it.
    if (lab && warnings.length > 0) lab.warnings = oneLine(warnings).map(printableProblem);
  } else if (!opts.requireLab) {
    // Calico resources alone (`validate`): what a lab would refuse is refused here too.
    for (const c of resources.felixConfigurations) problems.push(...bpfRefusal(c, index));
  }
  if (!labEntry && opts.requireLab && problems.length === 0) {
    // (A file with other problems may hold a Lab document that failed to parse.)
    const first = sources[0];
    problems.push({
      position: first ? { file: first.file, line: 1, col: 1 } : undefined,
      message:
        'no Lab document found: a lab file starts with "apiVersion: egress-lab/v1" and "kind: Lab"',
    });
  }
  return {
    lab,
    ...resources,
    index,
    problems: oneLine(problems),
    warnings: oneLine(warnings).map(printableProblem),
  };
}

/** Every message on one line, whatever user text it quotes. */
export function oneLine(problems: Problem[]): Problem[] {
  return problems.map((p) =>
    /[\r\n]/.test(p.message) ? { ...p, message: p.message.replace(/\s*[\r\n]+\s*/g, ' ') } : p,
  );
}

/** The validated lab with defaults filled in; throws LabInputError with all problems. */
export function loadLab(sources: readonly LabSource[]): Lab {
  const r = loadSources(sources, { requireLab: true });
  if (r.problems.length > 0 || !r.lab) throw new LabInputError(r.problems);
  return r.lab;
}

/** Like loadLab, plus where everything came from. */
export function loadLabWithIndex(sources: readonly LabSource[]): { lab: Lab; index: SourceIndex } {
  const r = loadSources(sources, { requireLab: true });
  if (r.problems.length > 0 || !r.lab) throw new LabInputError(r.problems);
  return { lab: r.lab, index: r.index };
}

/**
 * Calico resources (for `egress-lab validate` of files without a Lab document); `lab` is set
 * when a Lab document is present. Throws LabInputError with all problems.
 */
export function loadResources(
  sources: readonly LabSource[],
  opts: { services?: ServiceEntry[] } = {},
): LoadedResources {
  const r = loadSources(sources, opts);
  if (r.problems.length > 0) throw new LabInputError(r.problems);
  const out: LoadedResources = {
    // For a lab file: the pools the lab runs with (calico-node's default pool when none is given).
    ipPools: r.lab ? r.lab.ipPools : r.ipPools,
    bgpConfigurations: r.bgpConfigurations,
    bgpPeers: r.bgpPeers,
    felixConfigurations: r.felixConfigurations,
    warnings: r.warnings,
  };
  if (r.policies) out.policies = r.policies;
  if (r.networkSets) out.networkSets = r.networkSets;
  if (r.lab) out.lab = r.lab;
  return out;
}
