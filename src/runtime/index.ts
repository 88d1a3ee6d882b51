// The runtime's public surface: engine and image setup, and LabRuntime.
export {
  ensureEngine,
  engineTarget,
  type EngineTarget,
  type EnsureEngineOptions,
} from './engine.js';
export {
  ensureImage,
  ensureImageDetailed,
  type EnsureImageResult,
  type BuildMethod,
} from './image.js';
export { imageTag, recipeHash, PACKAGES } from './image-recipe.js';
export { LabRuntime, type LabRuntimeOptions, type LabStatusView } from './lab-runtime.js';
export { ApplyError } from './apply.js';
export type { UpOptions } from './up.js';
export type { LabFile } from './lab-files.js';
export type { Capture, CaptureOptions, CaptureSummary } from './capture.js';
export type { ExecOptions, ExecResult, ExecStream } from './exec.js';
export type { ProgressFn } from './progress.js';
export type {
  ApplyOutcome,
  ContainerState,
  LabState,
  LabSummary,
  PingResult,
  RuntimeContainerStatus,
} from './types.js';
export { LABEL_LAB, LABEL_NAME, LABEL_ROLE, LABEL_CONFIG, LABEL_NODE } from './labels.js';
export { checkLabName, dockerName } from './names.js';
