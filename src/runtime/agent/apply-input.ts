// What one container receives to apply its dataplane: a tar of input files on stdin, each
// rendered from the plan's data by the core's renderers, and a constant script (apply.sh,
// which says what each file is for and in which order they are applied).
import { renderIpsetStages } from '../../core/dataplane/render-ipset.js';
import { renderNatRestoreParts } from '../../core/dataplane/render-nat.js';
import { filter6InputFiles, filterInputFiles } from './apply-filter-input.js';
import { renderNftApplyPartsWithFilter } from '../../core/dataplane/render-nft-filter.js';
import { renderEncap } from '../../core/dataplane/render-encap.js';
import { renderKubeProxyNftApply } from '../../core/dataplane/render-kube-proxy-nft.js';
import { renderKubeFilterParts } from '../../core/dataplane/kube-proxy-text.js';
import { felixIpv6 } from '../../core/dataplane/render-nft6.js';
import { renderNft6ApplyPartsWithFilter } from '../../core/dataplane/render-nft-filter6.js';
import { renderRoutes } from '../../core/dataplane/render-routes.js';
import { renderBirdConfig } from '../../core/plan/render-container.js';
import type { ContainerPlan, ServiceSpec } from '../../core/plan/types.js';
import { buildTar, type TarFile } from '../engine/tar.js';
import { readScript } from '../util/script-file.js';
import { perimeterFiles } from './perimeter-input.js';

/** Temporary sets of an apply; apply.sh removes leftovers by this prefix. */
export const TEMP_SET_PREFIX = 'egl-tmp-';

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function servicesFile(services: readonly ServiceSpec[]): string {
  return joinLines(
    services.map((s) => {
      if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
        throw new Error(`bad service port ${s.port}`);
      if (!['tcp-echo', 'udp-echo', 'tcp6-echo', 'udp6-echo'].includes(s.kind))
        throw new Error(`unknown service kind ${String(s.kind)}`);
      return `${s.kind} ${s.port}`;
    }),
  );
}

/** The files for one container's apply, as a tar for stdin. */
export interface ApplyInputOptions {
  /**
   * Re-check everything against the kernel instead of trusting what the last apply left
   * (`up` converges even after someone changed rules by hand; live toggles skip this).
   */
  full?: boolean;
  /** Leave the routes out: `up` has the wiring helper add them to a new container, once its links exist. */
  skipRoutes?: boolean;
  /**
   * The container was created by this `up` and nothing has touched it: nothing to clean up
   * (old temporary sets, old rules, sets the plan dropped) and BIRD not running, so its
   * own start checks the config. Saves a dozen processes per container on the way up.
   */
  fresh?: boolean;
  /**
   * BIRD starts with its BGP sessions disabled (`up`, before the links exist); the wiring
   * helper enables them once the links carry traffic.
   */
  birdSessionsDisabled?: boolean;
}

export function applyInputFiles(c: ContainerPlan, opts: ApplyInputOptions = {}): TarFile[] {
  const files: TarFile[] = opts.full ? [{ name: 'full', content: '' }] : [];
  if (opts.fresh) files.push({ name: 'fresh', content: '' });
  if (c.dataplane?.natDataplane === 'nftables') {
    // nftables mode: the sets live in the table, so one transaction rewrites them all (apply.sh).
    const n = renderNftApplyPartsWithFilter(c.dataplane);
    files.push({ name: 'nft.prep', content: n.prep }, { name: 'nft.rules', content: n.table });
    const v6 = felixIpv6(c.dataplane);
    if (v6) {
      // IPv6 labs: `table ip6 calico` (and the keeper's `ip6 egress-lab`) in the same
      // `nft -f` transaction as IPv4's (apply.sh).
      const n6 = renderNft6ApplyPartsWithFilter(v6);
      files.push(
        { name: 'nft6.prep', content: n6.prep },
        { name: 'nft6.rules', content: n6.table },
      );
    }
  } else if (c.dataplane) {
    // IPv6 labs: Felix's cali60 sets go with the others (ipset takes both families).
    const v6 = felixIpv6(c.dataplane);
    const s = renderIpsetStages([...c.dataplane.ipsets, ...(v6?.ipsets ?? [])], TEMP_SET_PREFIX);
    const n = renderNatRestoreParts(c.dataplane.nat);
    files.push(
      { name: 'ipset.stage', content: s.stage },
      { name: 'ipset.swap', content: s.swap },
      { name: 'ipset.names', content: joinLines(s.names) },
      { name: 'nat.head', content: n.head },
      { name: 'nat.own', content: n.ownRules },
      { name: 'nat.kern', content: n.kernelRules },
    );
    if (v6) {
      // ip6tables' nat table, the same parts (apply.sh restores it after IPv4's).
      const n6 = renderNatRestoreParts(v6.nat);
      files.push(
        { name: 'nat6.head', content: n6.head },
        { name: 'nat6.own', content: n6.ownRules },
        { name: 'nat6.kern', content: n6.kernelRules },
      );
    }
    if (c.dataplane.filter) files.push(...filterInputFiles(c.dataplane.filter));
    // kube-proxy's filter table (iptables mode), restored with the nat table (apply.sh).
    if (c.dataplane.nat.kubeProxy?.filter) {
      const k = renderKubeFilterParts(c.dataplane.nat.kubeProxy.filter);
      files.push(
        { name: 'kfilter.head', content: k.head },
        { name: 'kfilter.own', content: k.own },
        { name: 'kfilter.kern', content: k.kern },
      );
    }
  }
  // IPv6 policy in iptables mode: ip6tables' filter table (apply.sh 3c); in nftables mode it is
  // in `table ip6 calico` above.
  const v6filter = c.dataplane && felixIpv6(c.dataplane)?.filter;
  if (v6filter && c.dataplane?.natDataplane !== 'nftables')
    files.push(...filter6InputFiles(v6filter));
  // kube-proxy in nftables mode: its table, replaced whole (apply.sh step 3'').
  if (c.dataplane?.kubeProxyNft)
    files.push({ name: 'kpnft.rules', content: renderKubeProxyNftApply(c.dataplane.kubeProxyNft) });
  if (c.dataplane?.encap) {
    const e = renderEncap(c.dataplane.encap);
    files.push(
      { name: 'encap.names', content: e.names },
      { name: 'encap.dev', content: e.devices },
      { name: 'encap.ip', content: e.ipBatch },
      { name: 'encap.fdb', content: e.fdbBatch },
    );
  }
  const routes = renderRoutes(c.routes);
  if (routes && !opts.skipRoutes) files.push({ name: 'routes.batch', content: routes });
  // The wiring adds them: the apply only records them, to remove them once no longer wanted.
  if (routes && opts.skipRoutes) files.push({ name: 'routes.known', content: routes });
  const bird = renderBirdConfig(c, { sessionsDisabled: opts.birdSessionsDisabled });
  if (bird !== undefined) files.push({ name: 'bird.conf', content: bird });
  if (c.services.length) files.push({ name: 'services', content: servicesFile(c.services) });
  files.push(...perimeterFiles(c));
  return files;
}

export function applyInputTar(c: ContainerPlan, opts: ApplyInputOptions = {}): Buffer {
  return buildTar(applyInputFiles(c, opts));
}

/**
 * Runs inside a lab container as `sh -c APPLY_SCRIPT egress-lab-apply`, the tar on stdin.
 * Constant text: no value from a plan is ever spliced into it.
 * Exit 0: applied; 3: rejected in validation (nothing changed); other: failed while committing.
 */
export const APPLY_SCRIPT = readScript('./apply.sh', import.meta.url);
