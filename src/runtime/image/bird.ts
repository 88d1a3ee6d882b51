// The lab's BIRD: Debian's bird2 source package, rebuilt with one patch. Stock BIRD waits
// at least 1 s (randomised 0.75–1 s) before each outgoing BGP connection, whatever
// `connect delay time` says; that alone made a lab's sessions take ~0.9 s to come up. The
// patch gives `connect delay time 0` a meaning BIRD lacks: connect at once, retry after 10,
// 20, 40 and 80 ms (the peer's BIRD may be starting at the same moment), then every
// 75–100 ms. Any other value behaves as stock BIRD, and the rendered configs stay valid for
// stock BIRD (where 0 means 1 s).
// Calico itself ships its own BIRD build; the lab ships this one, installed in
// /usr/local/sbin (first on PATH) next to Debian's untouched package.

/** Applied with `patch -p1` in the unpacked source. */
export const BIRD_PATCH = `--- a/proto/bgp/bgp.c
+++ b/proto/bgp/bgp.c
@@ -1075,6 +1075,20 @@
   int delay = MAX(1, p->cf->connect_delay_time);
   struct bgp_conn *conn = &p->outgoing_conn;
 
+  /* Egress Lab: with "connect delay time 0", connect at once, retry after 10, 20, 40 and
+     80 ms, then every 75-100 ms; stock BIRD waits at least 0.75-1 s before every attempt */
+  if (!p->cf->connect_delay_time)
+  {
+    static const btime lab_delay[] = { 0, 10 MS, 20 MS, 40 MS, 80 MS };
+    uint n = p->lab_connect_attempts++;
+    btime wait = (n < ARRAY_SIZE(lab_delay)) ? lab_delay[n] : 100 MS - (btime) (random() % (25 MS + 1));
+    BGP_TRACE(D_EVENTS, "Connect delayed by %u ms", (uint) (wait / 1000));
+    bgp_setup_conn(p, conn);
+    bgp_conn_set_state(conn, BS_ACTIVE);
+    tm_start(conn->connect_timer, wait);
+    return;
+  }
+
   BGP_TRACE(D_EVENTS, "Connect delayed by %d seconds", delay);
   bgp_setup_conn(p, conn);
   bgp_conn_set_state(conn, BS_ACTIVE);
@@ -1514,6 +1528,7 @@
   struct bgp_proto *p = (struct bgp_proto *) P;
   const struct bgp_config *cf = p->cf;
 
+  p->lab_connect_attempts = 0;
   p->local_ip = cf->local_ip;
   p->local_as = cf->local_as;
   p->remote_as = cf->remote_as;
--- a/proto/bgp/bgp.h
+++ b/proto/bgp/bgp.h
@@ -345,6 +345,7 @@
   timer *gr_timer;			/* Timer waiting for reestablishment after graceful restart */
   int dynamic_name_counter;		/* Counter for dynamic BGP names */
   uint startup_delay;			/* Delay (in seconds) of protocol startup due to previous errors */
+  uint lab_connect_attempts;		/* Egress Lab: outgoing connection attempts since the protocol started */
   btime last_proto_error;		/* Time of last error that leads to protocol stop */
   u8 last_error_class; 			/* Error class of last error */
   u32 last_error_code;			/* Error code of last error. BGP protocol errors
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
