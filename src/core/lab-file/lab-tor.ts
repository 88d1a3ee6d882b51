// `fabric.racks[].tor`: a rack's own top-of-rack router, AS per rack (model/tor.ts). Checked
// here: the AS (a valid one, not the spine's, not another rack's: each rack is its own AS in
// Calico's AS-per-rack model, and eBGP between the ToR and the spine needs two ASes), the name
// (a container name like the others) and how many ToRs the uplink range holds.
import { parseASNumber } from '../calico/bgp.js';
import type { FieldPath } from '../calico/field-error.js';
import type { LabRack, LabTor } from '../model/lab.js';
import { MAX_TORS, TOR_UPLINK_NET, torUplink } from '../model/tor.js';
import type { LabContext } from './lab-context.js';

type WrittenTor = { name?: string; asNumber: number | string; exportPodBlocks?: boolean };

/** Adds each written rack's ToR to its validated rack (racks[i] is written[i]'s, or undefined). */
export function addRackTors(
  ctx: LabContext,
  written: { name: string; tor?: WrittenTor }[],
  racks: (LabRack | undefined)[],
  spineAS: number,
): void {
  const P = ctx.problem;
  const byAS = new Map<number, string>();
  let k = 0;
  written.forEach((w, i) => {
    const rack = racks[i];
    if (!w.tor || !rack) return;
    const path: FieldPath = ['spec', 'fabric', 'racks', i, 'tor'];
    const name = w.tor.name ?? `${rack.name}-tor`;
    ctx.claimName(name, 'top-of-rack router', w.tor.name !== undefined ? [...path, 'name'] : path);
    const as = parseASNumber(w.tor.asNumber);
    if (as === undefined || as === 0) {
      P(
        [...path, 'asNumber'],
        `asNumber must be an AS number (1-4294967295), got ${JSON.stringify(w.tor.asNumber)}`,
      );
      return;
    }
    if (as === spineAS) {
      P(
        [...path, 'asNumber'],
        `the top-of-rack router's AS ${as} is the spine's (spec.router.asNumber): AS per rack needs eBGP between the ToR and the spine, so give the rack an AS of its own`,
      );
      return;
    }
    const other = byAS.get(as);
    if (other) {
      P(
        [...path, 'asNumber'],
        `AS ${as} is already rack ${other}'s: in the AS-per-rack model each rack has its own AS`,
      );
      return;
    }
    byAS.set(as, rack.name);
    if (k >= MAX_TORS) {
      P(path, `at most ${MAX_TORS} racks may have a ToR (their uplinks share ${TOR_UPLINK_NET})`);
      return;
    }
    const tor: LabTor = {
      name,
      asNumber: as,
      exportPodBlocks: w.tor.exportPodBlocks ?? true,
      uplink: torUplink(k++),
    };
    rack.tor = tor;
  });
}
