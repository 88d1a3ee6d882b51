// The runtime's public surface: engine and image setup, and LabRuntime.
export {
  ensureEngine,
  engineInUse,
  engineTarget,
  type EngineInUse,
  type EngineTarget,
  type EnsureEngineOptions,
} from './engine/engine.js';
export {
  ensureImage,
  ensureImageDetailed,
  type EnsureImageResult,
  type BuildMethod,
} from './image/image.js';
export { imageTag, recipeHash, PACKAGES } from './image/recipe.js';
export { LabRuntime, type LabRuntimeOptions, type LabStatusView } from './lab/lab-runtime.js';
export { ApplyError } from './agent/apply.js';
export type { UpOptions } from './lab/up.js';
export type { LabFile } from './lab/lab-files.js';
export type { Capture, CaptureOptions, CaptureSummary } from './capture/capture.js';
export type { ExecOptions, ExecResult, ExecStream } from './engine/exec.js';
export type { ProgressFn } from './util/progress.js';
export type {
  ApplyOutcome,
  ContainerState,
  LabState,
  LabSummary,
  PingResult,
  RuntimeContainerStatus,
} from './lab/types.js';
export { LABEL_LAB, LABEL_NAME, LABEL_ROLE, LABEL_CONFIG, LABEL_NODE } from './lab/labels.js';
export { checkLabName, dockerName } from './lab/names.js';
