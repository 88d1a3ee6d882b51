// Every CLI command, in the order `egress-lab help` lists them. A command's module is
// imported only when it runs (its `load`): `--help` or one command never pays for the
// others' imports (the lab service, dockerode, zod schemas, yaml).
import type { CommandEntry } from '../command.js';
import { SPECS } from './specs.js';

export const commands: CommandEntry[] = [
  { ...SPECS.validate, load: async () => (await import('./validate.js')).validateCommand },
  { ...SPECS.rules, load: async () => (await import('./rules.js')).rulesCommand },
  { ...SPECS.explain, load: async () => (await import('./explain.js')).explainCommand },
  { ...SPECS.getIppool, load: async () => (await import('./get-ippool.js')).getIppoolCommand },
  { ...SPECS.get, load: async () => (await import('./get.js')).getCommand },
  { ...SPECS.setup, load: async () => (await import('./setup.js')).setupCommand },
  { ...SPECS.up, load: async () => (await import('./up.js')).upCommand },
  { ...SPECS.status, load: async () => (await import('./status.js')).statusCommand },
  { ...SPECS.down, load: async () => (await import('./down.js')).downCommand },
  { ...SPECS.exec, load: async () => (await import('./exec.js')).execCommand },
  { ...SPECS.serve, load: async () => (await import('./serve.js')).serveCommand },
  { ...SPECS.ping, load: async () => (await import('./ping.js')).pingCommand },
  { ...SPECS.capture, load: async () => (await import('./capture.js')).captureCommand },
  { ...SPECS.patch, load: async () => (await import('./patch.js')).patchCommand },
  {
    ...SPECS.patchResource,
    load: async () => (await import('./patch-resource.js')).patchResourceCommand,
  },
  { ...SPECS.apply, load: async () => (await import('./apply.js')).applyCommand },
  {
    ...SPECS.calicoVersion,
    load: async () => (await import('./calico-version.js')).calicoVersionCommand,
  },
  { ...SPECS.delete, load: async () => (await import('./delete.js')).deleteCommand },
  { ...SPECS.create, load: async () => (await import('./crud.js')).createCommand },
  { ...SPECS.replace, load: async () => (await import('./crud.js')).replaceCommand },
  { ...SPECS.deleteFile, load: async () => (await import('./crud.js')).deleteFileCommand },
  { ...SPECS.conntrack, load: async () => (await import('./conntrack.js')).conntrackCommand },
  { ...SPECS.check, load: async () => (await import('./check.js')).checkCommand },
  { ...SPECS.traffic, load: async () => (await import('./traffic.js')).trafficCommand },
  { ...SPECS.new, load: async () => (await import('./new.js')).newCommand },
  { ...SPECS.importLab, load: async () => (await import('./import.js')).importCommand },
  { ...SPECS.graph, load: async () => (await import('./graph.js')).graphCommand },
  { ...SPECS.save, load: async () => (await import('./save.js')).saveCommand },
  { ...SPECS.diff, load: async () => (await import('./diff.js')).diffCommand },
  { ...SPECS.trace, load: async () => (await import('./trace.js')).traceCommand },
  { ...SPECS.bundle, load: async () => (await import('./bundle.js')).bundleCommand },
  {
    ...SPECS.exerciseShow,
    load: async () => (await import('./exercise-show.js')).exerciseShowCommand,
  },
  {
    ...SPECS.exerciseCheck,
    load: async () => (await import('./exercise.js')).exerciseCheckCommand,
  },
  {
    ...SPECS.exerciseReset,
    load: async () => (await import('./exercise.js')).exerciseResetCommand,
  },
  { ...SPECS.workshopUp, load: async () => (await import('./workshop-up.js')).workshopUpCommand },
  {
    ...SPECS.workshopServe,
    load: async () => (await import('./workshop-serve.js')).workshopServeCommand,
  },
  {
    ...SPECS.workshopDown,
    load: async () => (await import('./workshop-down.js')).workshopDownCommand,
  },
  {
    ...SPECS.completion,
    load: async () => (await import('./completion.js')).completionCommand,
  },
];
