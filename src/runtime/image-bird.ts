// The lab's BIRD: Debian's bird2 source package, rebuilt with one patch. Stock BIRD waits
// at least 1 s (randomised 0.75–1 s) before each outgoing BGP connection, whatever
// `connect delay time` says; that alone made a lab's sessions take ~0.9 s to come up. The
// patch gives `connect delay time 0` a meaning BIRD lacks: wait 75–100 ms. Any other value
// behaves as stock BIRD, and the rendered configs stay valid for stock BIRD (where 0 means 1 s).
// Calico itself ships its own BIRD build; the lab ships this one, installed in
// /usr/local/sbin (first on PATH) next to Debian's untouched package.

/** Applied with `patch -p1` in the unpacked source. */
export const BIRD_PATCH = `--- a/proto/bgp/bgp.c
+++ b/proto/bgp/bgp.c
@@ -1075,6 +1075,16 @@
   int delay = MAX(1, p->cf->connect_delay_time);
   struct bgp_conn *conn = &p->outgoing_conn;
 
+  /* Egress Lab: "connect delay time 0" waits 75-100 ms instead of at least 1 s */
+  if (!p->cf->connect_delay_time)
+  {
+    BGP_TRACE(D_EVENTS, "Connect delayed by 100 ms");
+    bgp_setup_conn(p, conn);
+    bgp_conn_set_state(conn, BS_ACTIVE);
+    tm_start(conn->connect_timer, 100 MS - random() % (25 MS + 1));
+    return;
+  }
+
   BGP_TRACE(D_EVENTS, "Connect delayed by %d seconds", delay);
   bgp_setup_conn(p, conn);
   bgp_conn_set_state(conn, BS_ACTIVE);
`;

/** Where the build script and the patch are put in the build environment. */
export const BIRD_BUILD_DIR = '/tmp/egress-lab-bird';

/** Build packages: `apt-get source` needs dpkg-dev; BIRD's own Build-Depends minus docs and libssh. */
const BUILD_PACKAGES = [
  'dpkg-dev',
  'gcc',
  'make',
  'libc6-dev',
  'bison',
  'flex',
  'm4',
  'patch',
  'libreadline-dev',
  'libncurses-dev',
];

/**
 * Runs as root in a throwaway Debian of the lab's suite (a chroot copy of the lab's root file
 * system, or a Dockerfile build stage): fetches bird2's source through apt (signed indexes,
 * Debian's own patches applied), patches, builds, installs bird/birdc/birdcl in /usr/local/sbin.
 * $1: extra apt-get options (a proxy). Constant text.
 */
export const BIRD_BUILD_SCRIPT = String.raw`set -eu
APT_OPTS=${'$'}{1:-}
cd ${BIRD_BUILD_DIR}
# Source indexes next to the binary ones, whichever format this Debian uses (a throwaway copy).
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
done
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/egress-lab-src.list
fi
export DEBIAN_FRONTEND=noninteractive
apt-get $APT_OPTS update
apt-get $APT_OPTS install -y --no-install-recommends ${BUILD_PACKAGES.join(' ')}
apt-get $APT_OPTS source bird2
cd bird2-*/
patch -p1 < ${BIRD_BUILD_DIR}/connect-delay.patch
./configure --prefix=/usr/local --sysconfdir=/etc/bird --runstatedir=/run/bird --disable-libssh >/dev/null
make -j"$(nproc)" >/dev/null
install -d /usr/local/sbin
install -m 0755 bird birdc birdcl /usr/local/sbin/
/usr/local/sbin/bird --version
`;

/** Packages the build needs, for the recipe hash. */
export const BIRD_BUILD_PACKAGES: readonly string[] = BUILD_PACKAGES;

export const BIRD_BINARIES = ['bird', 'birdc', 'birdcl'] as const;
