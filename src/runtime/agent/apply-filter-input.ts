// The filter table's part of an apply (network policy): the same three parts as the nat table,
// which apply.sh restores in the same iptables-restore run (see its "filter.*" files).
import type { FilterTable } from '../../core/dataplane/filter-types.js';
import { renderFilterRestoreParts } from '../../core/dataplane/render-filter.js';
import type { TarFile } from '../engine/tar.js';

export function filterInputFiles(t: FilterTable): TarFile[] {
  const p = renderFilterRestoreParts(t);
  return [
    { name: 'filter.head', content: p.head },
    { name: 'filter.own', content: p.ownRules },
    { name: 'filter.kern', content: p.kernelRules },
  ];
}

/** IPv6 labs: ip6tables' filter table, the same parts (apply.sh's "filter6.*" files). */
export function filter6InputFiles(t: FilterTable): TarFile[] {
  const p = renderFilterRestoreParts(t);
  return [
    { name: 'filter6.head', content: p.head },
    { name: 'filter6.own', content: p.ownRules },
    { name: 'filter6.kern', content: p.kernelRules },
  ];
}
