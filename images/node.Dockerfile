FROM debian:bookworm-slim AS bird
COPY bird-build.sh connect-delay.patch /tmp/egress-lab-bird/
RUN sh /tmp/egress-lab-bird/bird-build.sh

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iproute2 iptables ipset nftables conntrack tcpdump bird2 iputils-ping netcat-openbsd socat procps util-linux mount traceroute \
 && rm -rf /var/lib/apt/lists/*
COPY --from=bird /usr/local/sbin/bird /usr/local/sbin/birdc /usr/local/sbin/birdcl /usr/local/sbin/
CMD ["sleep", "infinity"]
