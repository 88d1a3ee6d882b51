// The shape of a lab file's `spec.exercise` (issue 18, workshops): ordered steps, each an
// instruction, optional hints, a checkpoint (the Calico resources the step starts from: the
// file's own, with merge patches on its pools) and a check proved on the wire. A check entry is
// an `expect` entry: the schema takes that shape as given, so both always read the same.
import { z } from 'zod';

export function exerciseSchema<E extends z.ZodType>(checkEntry: E) {
  const checkpointPatch = z
    .strictObject({
      ippool: z.string().describe('The IPPool of this lab file that the patch changes.'),
      patch: z
        .record(z.string(), z.unknown())
        .describe(
          'An RFC 7386 merge patch on the pool as calicoctl shows it, e.g. {spec: {natOutgoing: false}}.',
        ),
    })
    .describe('A merge patch on one pool, as `calicoctl patch ippool NAME --patch` takes it.');
  const step = z
    .strictObject({
      title: z.string().min(1).describe('The step, in a few words.'),
      instruction: z.string().min(1).describe('What the student does in this step (markdown).'),
      hints: z.array(z.string()).optional().describe('Hints, shown one at a time on request.'),
      checkpoint: z
        .array(checkpointPatch)
        .optional()
        .describe(
          "The lab's Calico resources when the step starts, and after \"reset this step\": the file's own, with these pool patches applied (none: the file's).",
        ),
      check: z
        .array(checkEntry)
        .min(1)
        .describe('Flows proved on the wire, as `expect` entries: the step passes when all hold.'),
    })
    .describe('One step of the exercise.');
  return z
    .strictObject({
      title: z.string().min(1).describe('The exercise, in a few words.'),
      steps: z.array(step).min(1).describe('The steps, in order.'),
    })
    .describe(
      'An exercise for a workshop: steps a student walks through, each checked on the wire.',
    );
}

/**
 * The parsed `spec.exercise`, written out so the Lab document's type does not depend on itself
 * (the check entries' schema is the `expect` entries'; lab-exercise.ts reads them as such).
 */
export interface ExerciseDocument {
  title: string;
  steps: {
    title: string;
    instruction: string;
    hints?: string[] | undefined;
    checkpoint?: { ippool: string; patch: Record<string, unknown> }[] | undefined;
    check: unknown[];
  }[];
}
