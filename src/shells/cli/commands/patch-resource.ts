// `egress-lab patch KIND NAME -p JSON [-n NS] [--name LAB] [--dry-run] [--json]` for policies,
// network sets and Services: a merge patch as calicoctl and kubectl apply it, validated and
// applied as `apply -f` of the patched resource would be (core/changes/resource-views.ts),
// through the service facade ('resource:patch'). --dry-run prints the rule diff, changing nothing.
import { LabInputError } from '../../../core/errors.js';
import type { Command } from '../command.js';
import { EXIT_OK, UsageError } from '../errors.js';
import { parseCommandArgs } from '../parse-args.js';
import { isNamespaced, resourceKindNamed, RESOURCE_WORDS } from '../resource-kinds.js';
import { makeChange, printChange } from './change.js';
import { SPECS } from './specs.js';
import { suggestCommands } from '../suggest.js';

const { usage } = SPECS.patchResource;

export const patchResourceCommand: Command = {
  ...SPECS.patchResource,
  async run({ io, args }) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        patch: { type: 'string', short: 'p' },
        namespace: { type: 'string', short: 'n' },
        name: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      usage,
    );
    const [kindWord, bare, ...extra] = positionals;
    if (kindWord === undefined)
      throw new UsageError(`patch needs a KIND and one NAME\nusage: ${usage}`);
    const kind = resourceKindNamed(kindWord);
    if (!kind) {
      // A typo of `patch ippool` gets the did-you-mean an unknown command gets.
      const close = suggestCommands(['patch', kindWord], Object.values(SPECS)).filter(
        (c) => c !== 'patch',
      );
      const hint = close.length
        ? `\n\nThe most similar command${close.length > 1 ? 's are' : ' is'}:\n${close.map((c) => `\t${c}`).join('\n')}`
        : '';
      throw new UsageError(
        `resource type '${kindWord}' is not supported (patch takes ippool, ${RESOURCE_WORDS.join(', ')})${hint}\nusage: ${usage}`,
      );
    }
    if (bare === undefined || extra.length)
      throw new UsageError(`patch needs a KIND and one NAME\nusage: ${usage}`);
    if (values.patch === undefined) throw new UsageError(`patch needs -p JSON\nusage: ${usage}`);
    let patch: unknown;
    try {
      patch = JSON.parse(values.patch);
    } catch (e) {
      throw new LabInputError([
        { kind, name: bare, message: `--patch is not valid JSON: ${(e as Error).message}` },
      ]);
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
      throw new LabInputError([
        { kind, name: bare, message: '--patch must be a JSON object, e.g. {"spec":{"order":10}}' },
      ]);
    const name = isNamespaced(kind) ? `${values.namespace ?? 'default'}/${bare}` : bare;
    const dryRun = values['dry-run'] ?? false;
    const body = patch as Record<string, unknown>;
    const r = await makeChange(
      values.name,
      dryRun,
      (call, lab) => call('resource:patch', { lab, kind, name, patch: body, dryRun }),
      (s) => s.patchResource(values.name, kind, name, body, dryRun),
    );
    printChange(io, r, values.json, dryRun);
    return EXIT_OK;
  },
};
