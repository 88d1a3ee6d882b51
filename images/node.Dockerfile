FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iproute2 iptables ipset conntrack tcpdump bird2 iputils-ping netcat-openbsd socat procps util-linux mount traceroute \
 && rm -rf /var/lib/apt/lists/*
CMD ["sleep", "infinity"]
