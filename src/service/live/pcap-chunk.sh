# $1: file, $2: offset (bytes), $3: length (bytes). Those bytes, base64 on one line (exec
# output is text). The service reads a pcap in bounded pieces with this, never whole.
dd if="$1" bs=65536 iflag=skip_bytes,count_bytes skip="$2" count="$3" status=none | base64 -w0
