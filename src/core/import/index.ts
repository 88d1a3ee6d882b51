// Building a lab around a customer's Calico resources (`egress-lab import`). Pure.
export { importLab, type ImportOptions, type ImportResult } from './import-lab.js';
export { dnsLabel } from './dns-label.js';
export { labelsSatisfying } from './selector-labels.js';
export {
  FABRIC_CANDIDATES,
  INTERNET_CANDIDATES,
  firstFree,
  overlapsAny,
  segmentInside,
} from './addresses.js';
