// The lab image's recipe. Every lab container (router, nodes, pods, hosts) and the
// wiring helper run this one image. Its tag is a hash of this recipe, so changing
// a package here rebuilds it and an unchanged recipe reuses what the engine has.
import { createHash } from 'node:crypto';
import {
  BIRD_BINARIES,
  BIRD_BUILD_DIR,
  BIRD_BUILD_PACKAGES,
  BIRD_BUILD_SCRIPT,
  BIRD_PATCH,
} from './bird.js';

export const IMAGE_REPO = 'egress-lab/node';
export const SUITE = 'bookworm';
export const DEFAULT_BASE_IMAGE = 'debian:bookworm-slim';

/** The Dockerfile's base: a user behind a registry mirror can name theirs (same Debian release). */
export function baseImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.EGRESS_LAB_BASE_IMAGE?.trim() || DEFAULT_BASE_IMAGE;
}

/** What the lab needs inside its containers, and why. */
export const PACKAGES: readonly string[] = [
  'iproute2', // ip link/addr/route, -batch, -j
  'iptables', // iptables-restore --noflush (nf_tables backend)
  'ipset', // ipset restore + swap
  'nftables', // nft -f: Felix's nftables mode (table ip calico)
  'conntrack', // conntrack -L / -D (live lab)
  'tcpdump', // captures
  'bird2', // BGP on nodes and the router
  'iputils-ping', // ping
  'netcat-openbsd', // nc: TCP/UDP clients
  'socat', // TCP/UDP echo servers on hosts
  'procps', // pgrep/pkill/ps
  'util-linux', // nsenter, flock (wiring helper, apply lock)
  'mount', // mount -t proc in the wiring helper
  'traceroute', // handy in a workshop
];

/** Bumped by hand when the build steps change in a way the package list does not show. */
const RECIPE_VERSION = 2;

/** Files the Dockerfile build needs next to it (the BIRD build stage's script and patch). */
export const BUILD_CONTEXT_FILES: readonly { name: string; content: string }[] = [
  { name: 'bird-build.sh', content: BIRD_BUILD_SCRIPT },
  { name: 'connect-delay.patch', content: BIRD_PATCH },
];

export function dockerfileText(base: string = baseImage()): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/.test(base))
    throw new Error(`base image "${base}" is not a valid reference`);
  const bins = BIRD_BINARIES.map((b) => `/usr/local/sbin/${b}`).join(' ');
  return [
    `FROM ${base} AS bird`,
    `COPY bird-build.sh connect-delay.patch ${BIRD_BUILD_DIR}/`,
    `RUN sh ${BIRD_BUILD_DIR}/bird-build.sh`,
    '',
    `FROM ${base}`,
    'RUN apt-get update \\',
    ` && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES.join(' ')} \\`,
    ' && rm -rf /var/lib/apt/lists/*',
    `COPY --from=bird ${bins} /usr/local/sbin/`,
    'CMD ["sleep", "infinity"]',
    '',
  ].join('\n');
}

export function recipeHash(): string {
  const text = JSON.stringify({
    v: RECIPE_VERSION,
    suite: SUITE,
    packages: PACKAGES,
    bird: { patch: BIRD_PATCH, script: BIRD_BUILD_SCRIPT, build: BIRD_BUILD_PACKAGES },
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

export function imageTag(): string {
  return `${IMAGE_REPO}:${recipeHash()}`;
}
