set -eu
APT_OPTS=${1:-}
cd /tmp/egress-lab-bird
# Source indexes next to the binary ones, whichever format this Debian uses (a throwaway copy).
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
done
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/egress-lab-src.list
fi
export DEBIAN_FRONTEND=noninteractive
apt-get $APT_OPTS update
apt-get $APT_OPTS install -y --no-install-recommends dpkg-dev gcc make libc6-dev bison flex m4 patch libreadline-dev libncurses-dev
apt-get $APT_OPTS source bird2
cd bird2-*/
patch -p1 < /tmp/egress-lab-bird/connect-delay.patch
./configure --prefix=/usr/local --sysconfdir=/etc/bird --runstatedir=/run/bird --disable-libssh >/dev/null
make -j"$(nproc)" >/dev/null
install -d /usr/local/sbin
install -m 0755 bird birdc birdcl /usr/local/sbin/
/usr/local/sbin/bird --version
