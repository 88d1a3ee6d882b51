p=$1; shift
while [ $# -gt 1 ]; do echo "$2" > "$p/sys/$1"; shift 2; done
exec ip -batch -
