// Lab files: YAML (a Lab document and Calico resources) → validated model, with positions.
export { loadLab, loadLabWithIndex, loadResources, loadSources } from './load.js';
export type { LoadedResources, LoadResult } from './load.js';
export type { LabSource } from './source.js';
export { MAX_DEPTH, MAX_FILE_BYTES } from './source.js';
export { SourceIndex } from './source-index.js';
export { checkLab } from './checks.js';
export { DEFAULT_CALICO_VERSION, DEFAULT_FABRIC_CIDR, parseCalicoVersion } from './lab-builder.js';
export { labWithCalicoVersion } from './lab-version.js';
