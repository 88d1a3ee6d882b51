// The lab's BIRD: Debian's bird2 source package, rebuilt with one patch. Stock BIRD waits
// at least 1 s (randomised 0.75–1 s) before each outgoing BGP connection, whatever
// `connect delay time` says; that alone made a lab's sessions take ~0.9 s to come up. The
// patch gives `connect delay time 0` a meaning BIRD lacks: connect at once, retry after 10,
// 20, 40 and 80 ms (the peer's BIRD may be starting at the same moment), then every
// 75–100 ms. Any other value behaves as stock BIRD, and the rendered configs stay valid for
// stock BIRD (where 0 means 1 s).
// Calico itself ships its own BIRD build; the lab ships this one, installed in
// /usr/local/sbin (first on PATH) next to Debian's untouched package.
import { readScript } from '../util/script-file.js';

/** images/connect-delay.patch, applied with `patch -p1` in the unpacked source. */
export const BIRD_PATCH = readScript('../../../images/connect-delay.patch', import.meta.url);

/** Where the build script and the patch are put in the build environment (the script's `cd`). */
export const BIRD_BUILD_DIR = '/tmp/egress-lab-bird';

/**
 * images/bird-build.sh. Runs as root in a throwaway Debian of the lab's suite (a chroot copy
 * of the lab's root file system, or a Dockerfile build stage): fetches bird2's source through
 * apt (signed indexes, Debian's own patches applied), patches, builds, installs
 * bird/birdc/birdcl in /usr/local/sbin. $1: extra apt-get options (a proxy).
 */
export const BIRD_BUILD_SCRIPT = readScript('../../../images/bird-build.sh', import.meta.url);

/** The packages of a build script's `apt-get install` line. */
export function installedPackages(script: string): string[] {
  const m = /^apt-get \$APT_OPTS install -y --no-install-recommends (.+)$/m.exec(script);
  if (!m?.[1]) throw new Error('bird-build.sh: no apt-get install line');
  return m[1].trim().split(/\s+/);
}

/**
 * Packages the build installs: `apt-get source` needs dpkg-dev; the rest are BIRD's own
 * Build-Depends minus docs and libssh. In the recipe hash as a field of its own (as when
 * the script was generated from this list), so an unchanged recipe keeps its tag.
 */
export const BIRD_BUILD_PACKAGES: readonly string[] = installedPackages(BIRD_BUILD_SCRIPT);

export const BIRD_BINARIES = ['bird', 'birdc', 'birdcl'] as const;
