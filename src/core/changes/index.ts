export { applyMergePatch, applyResources, mergePatch } from './patch.js';
export { appliedLab, deletedPoolLab, patchedLab } from './lab-changes.js';
export { checkpointLab } from './checkpoint.js';
