// Exercises on a running lab (issue 18): which step each lab is on, its last check, and the
// three things a student does: check my work (the step's checks proved on the wire by the same
// code as `egress-lab check`), reset this step (the lab's resources back to the step's
// checkpoint, one change through the change pipeline, no down/up) and move to a step. Progress
// is kept beside the lab's record in its router (a small JSON file), so a restarted server or
// another process picks it up where it was; it goes away with the lab. Every move is pushed as
// an `exercise:progress` event.
import { LabInputError } from '../core/errors.js';
import type { Exercise, ExerciseStep, LabExpectation } from '../core/model/lab.js';
import type {
  ChangeResult,
  ExerciseCheckResult,
  ExerciseView,
  LabApiEvents,
  LabStatus,
  WorkshopLabView,
} from './api.js';
import type { LabRecord } from './lab-record.js';
import { expectText, type CheckOptions, type CheckReport } from './live/check.js';

/** What the tracker needs of the lab service. */
export interface ExerciseHost {
  record(lab: string): Promise<LabRecord>;
  status(name?: string): Promise<LabStatus[]>;
  check(lab: string, opts: CheckOptions): Promise<CheckReport>;
  resetToCheckpoint(lab: string, step: number): Promise<ChangeResult>;
  emit(event: 'exercise:progress', payload: LabApiEvents['exercise:progress']): void;
  /** The lab's saved progress (undefined: none yet), and saving it. */
  readProgress(lab: string): Promise<string | undefined>;
  writeProgress(lab: string, text: string): Promise<void>;
}

interface Progress {
  current: number;
  passed: Set<number>;
  last?: ExerciseCheckResult;
}

function exerciseOf(record: LabRecord): Exercise {
  const ex = record.lab.exercise;
  if (!ex) {
    throw new LabInputError([
      {
        kind: 'Lab',
        name: record.lab.name,
        message: `lab ${record.name} has no exercise: its lab file has no spec.exercise`,
      },
    ]);
  }
  return ex;
}

function stepOf(ex: Exercise, lab: string, step: number): ExerciseStep {
  const s = ex.steps[step];
  if (!s) {
    throw new LabInputError([
      {
        kind: 'Lab',
        name: lab,
        message: `step ${step + 1} does not exist: the exercise has steps 1 to ${ex.steps.length}`,
      },
    ]);
  }
  return s;
}

export function checkText(e: LabExpectation): string {
  return expectText(e);
}

/** The saved form of a lab's progress. */
interface SavedProgress {
  version: 1;
  current: number;
  passed: number[];
  last?: ExerciseCheckResult;
}

function parseProgress(text: string | undefined): Progress | undefined {
  if (!text) return undefined;
  try {
    const data = JSON.parse(text) as SavedProgress;
    if (data.version !== 1 || !Number.isInteger(data.current)) return undefined;
    return {
      current: data.current,
      passed: new Set(data.passed.filter(Number.isInteger)),
      ...(data.last ? { last: data.last } : {}),
    };
  } catch {
    return undefined; // a torn or foreign file: start over rather than fail the student
  }
}

export class ExerciseTracker {
  private readonly progress = new Map<string, Progress>();
  /** Labs whose saved progress has been read into `progress` (once per lab). */
  private readonly loaded = new Map<string, Promise<void>>();
  /** One check or reset at a time per lab: a second click waits for the first. */
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(private readonly host: ExerciseHost) {}

  private of(lab: string): Progress {
    let p = this.progress.get(lab);
    if (!p) {
      p = { current: 0, passed: new Set() };
      this.progress.set(lab, p);
    }
    return p;
  }

  /** Reads the lab's saved progress the first time the lab is asked about. */
  private load(lab: string): Promise<void> {
    let p = this.loaded.get(lab);
    if (!p) {
      p = this.host
        .readProgress(lab)
        .catch(() => undefined)
        .then((text) => {
          const saved = parseProgress(text);
          if (saved && !this.progress.has(lab)) this.progress.set(lab, saved);
        });
      this.loaded.set(lab, p);
    }
    return p;
  }

  private async save(lab: string): Promise<void> {
    const p = this.of(lab);
    const saved: SavedProgress = {
      version: 1,
      current: p.current,
      passed: [...p.passed].sort((a, b) => a - b),
      ...(p.last ? { last: p.last } : {}),
    };
    // A lost save costs the student their place after a restart, not their work: never fail
    // the check or reset that produced it.
    await this.host.writeProgress(lab, JSON.stringify(saved)).catch(() => undefined);
  }

  private async serial<T>(lab: string, run: () => Promise<T>): Promise<T> {
    const before = this.busy.get(lab) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(run);
    this.busy.set(lab, next);
    try {
      return await next;
    } finally {
      if (this.busy.get(lab) === next) this.busy.delete(lab);
    }
  }

  private summary(lab: string, ex: Exercise | undefined, running: boolean): WorkshopLabView {
    const p = this.of(lab);
    return {
      lab,
      running,
      ...(ex ? { title: ex.title } : {}),
      steps: ex?.steps.length ?? 0,
      current: p.current,
      passed: [...p.passed].sort((a, b) => a - b),
      ...(p.last ? { last: p.last } : {}),
    };
  }

  private async announce(lab: string, ex: Exercise): Promise<void> {
    await this.save(lab);
    this.host.emit('exercise:progress', this.summary(lab, ex, true));
  }

  async view(lab: string): Promise<ExerciseView> {
    const ex = exerciseOf(await this.host.record(lab));
    await this.load(lab);
    const p = this.of(lab);
    const last = p.last?.step === p.current ? p.last : undefined;
    return {
      lab,
      title: ex.title,
      steps: ex.steps.map((s, index) => ({
        index,
        title: s.title,
        instruction: s.instruction,
        hints: s.hints,
        checkpoint: s.checkpoint.map((c) => `${c.ippool}: ${JSON.stringify(c.patch)}`),
        check: s.check.map(checkText),
      })),
      current: p.current,
      ...(last ? { last } : {}),
      passed: [...p.passed].sort((a, b) => a - b),
    };
  }

  /** "Check my work": the step's checks on the wire; the result is the lab's last check. */
  check(
    lab: string,
    step: number,
    onProgress?: (line: string) => void,
  ): Promise<ExerciseCheckResult> {
    return this.serial(lab, async () => {
      const ex = exerciseOf(await this.host.record(lab));
      const s = stepOf(ex, lab, step);
      await this.load(lab);
      const report = await this.host.check(lab, {
        expect: s.check,
        ...(onProgress ? { onProgress } : {}),
      });
      const result: ExerciseCheckResult = {
        step,
        ok: report.ok,
        at: Date.now(),
        entries: report.entries.map((e) => ({
          text: checkText(e.expectation),
          ok: e.ok,
          summary: e.summary,
          mismatches: e.mismatches,
          lines: e.lines,
        })),
      };
      const p = this.of(lab);
      p.current = step;
      p.last = result;
      if (result.ok) p.passed.add(step);
      await this.announce(lab, ex);
      return result;
    });
  }

  /** "Reset this step": the lab's Calico resources as the step starts, as one change. */
  reset(lab: string, step: number): Promise<ChangeResult> {
    return this.serial(lab, async () => {
      const ex = exerciseOf(await this.host.record(lab));
      stepOf(ex, lab, step);
      await this.load(lab);
      const result = await this.host.resetToCheckpoint(lab, step);
      const p = this.of(lab);
      p.current = step;
      if (p.last?.step === step) delete p.last;
      await this.announce(lab, ex);
      return result;
    });
  }

  /** Moves the lab to a step (next, previous) without changing the lab. */
  async goto(lab: string, step: number): Promise<ExerciseView> {
    const ex = exerciseOf(await this.host.record(lab));
    stepOf(ex, lab, step);
    await this.load(lab);
    const p = this.of(lab);
    p.current = step;
    await this.announce(lab, ex);
    return this.view(lab);
  }

  /** Every running lab, its exercise, current step and last check (the instructor's view). */
  async overview(): Promise<WorkshopLabView[]> {
    const labs = await this.host.status();
    const out: WorkshopLabView[] = [];
    for (const l of labs) {
      const record = await this.host.record(l.name).catch(() => undefined);
      if (record?.lab.exercise) await this.load(l.name);
      out.push(this.summary(l.name, record?.lab.exercise, l.running));
    }
    return out.sort((a, b) => a.lab.localeCompare(b.lab, 'en', { numeric: true }));
  }

  /** The lab went away (undefined: every lab did): its progress goes with it. */
  forget(lab: string | undefined): void {
    if (lab === undefined) {
      this.progress.clear();
      this.loaded.clear();
    } else {
      this.progress.delete(lab);
      this.loaded.delete(lab);
    }
  }
}
