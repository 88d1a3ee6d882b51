// What `egress-lab help` shows of each command, as plain data: the help path reads this and
// nothing else, so no command's code (nor the service, the engine client or the schemas
// behind it) loads until that command runs.
export const SPECS = {
  validate: {
    words: ['validate'],
    usage: 'egress-lab validate FILE... [--json]',
    summary:
      'check a lab file, or Calico resources alone, as Calico (v3.30 … v3.33) would; warn about what the lab does not model',
  },
  rules: {
    words: ['rules'],
    usage: 'egress-lab rules FILE [--node NAME] [--format iptables|ipset|nft|routes|bird] [--json]',
    summary:
      'print the ipsets and nat rules (or nftables table), routes and BIRD config Calico would program on a node',
  },
  explain: {
    words: ['explain'],
    usage: 'egress-lab explain FILE --from POD --to ADDRESS|NAME [--json]',
    summary: 'say which pool, rule and source address a packet from a pod to a destination gets',
  },
  getIppool: {
    words: ['get', 'ippool'],
    usage: 'egress-lab get ippool [NAME] (-f FILE | [--name LAB]) [-o wide|yaml|json]',
    summary: 'list IP pools like calicoctl get ippool, from a file or a running lab',
  },
  setup: {
    words: ['setup'],
    usage: 'egress-lab setup',
    summary:
      'find (or, as root on Debian, install and start) a Docker engine and build the lab image',
  },
  up: {
    words: ['up'],
    usage: 'egress-lab up FILE... [--name LAB] [--json]',
    summary: 'start a lab (or converge a running one to the file); returns when it is ready',
  },
  status: {
    words: ['status'],
    usage: 'egress-lab status [--name LAB] [--json]',
    summary: 'per container: state, addresses and BGP sessions',
  },
  down: {
    words: ['down'],
    usage: 'egress-lab down [--name LAB | --all]',
    summary: "remove a lab's containers (idempotent); --all removes every lab",
  },
  exec: {
    words: ['exec'],
    usage: 'egress-lab exec [--name LAB] NAME -- CMD...',
    summary: 'run a command (argv, no shell) in a lab container; exits with its status',
  },
  serve: {
    words: ['serve'],
    usage: 'egress-lab serve [--port P]',
    summary: 'browser mode: the app on 127.0.0.1 with a random token in the URL (Ctrl-C stops it)',
  },
  ping: {
    words: ['ping'],
    usage: 'egress-lab ping [--name LAB] FROM TO [--count N] [--interval MS] [--json]',
    summary:
      'ping from a lab container to a host, pod or node name, or an address of the lab (exit 1: no reply)',
  },
  capture: {
    words: ['capture'],
    usage:
      'egress-lab capture [--name LAB] NAME [--iface IF] [--count N] [--timeout S] [--pcap FILE] [--json] [FILTER...]',
    summary:
      'tcpdump in a lab container: prints the real lines as they arrive; Ctrl-C stops tcpdump in the container',
  },
  calicoVersion: {
    words: ['set', 'calico-version'],
    usage: 'egress-lab set calico-version VERSION [--name LAB] [--dry-run] [--json]',
    summary: 'move a running lab to another Calico version (v3.30 … v3.33): the rules follow',
  },
  patch: {
    words: ['patch', 'ippool'],
    usage: 'egress-lab patch ippool NAME --patch JSON [--name LAB] [--dry-run] [--json]',
    summary:
      'merge-patch an IP pool of a running lab, like calicoctl patch; only what changed is applied',
  },
  apply: {
    words: ['apply'],
    usage: 'egress-lab apply -f FILE [--name LAB] [--dry-run] [--json]',
    summary: 'create or replace Calico resources in a running lab (calicoctl apply semantics)',
  },
  delete: {
    words: ['delete', 'ippool'],
    usage: 'egress-lab delete ippool NAME [--name LAB] [--json]',
    summary: 'delete an IP pool from a running lab, like calicoctl delete',
  },
  conntrack: {
    words: ['conntrack'],
    usage: 'egress-lab conntrack [--name LAB] NODE [--flush [--pod POD]] [--json]',
    summary: "list a node's conntrack entries (translated ones marked), or flush all or one pod's",
  },
  check: {
    words: ['check'],
    usage: 'egress-lab check FILE [--name LAB] [--json]',
    summary:
      "run a lab file's expect entries on the running lab (starting it if needed) with real traffic and captures",
  },
  traffic: {
    words: ['traffic'],
    usage:
      'egress-lab traffic [--name LAB] FROM TO [--proto icmp|tcp|udp] [--port P] [--interval MS] [--count N] [--new-flows] [--json]',
    summary:
      'send continuous or counted traffic from a pod and count the replies (exit 1: none came back)',
  },
  new: {
    words: ['new'],
    usage: 'egress-lab new (TEMPLATE [FILE] [--force] | --list [--json])',
    summary: 'write a copy of a lab template to edit; --list shows the templates',
  },
  importLab: {
    words: ['import'],
    usage: 'egress-lab import FILE... [-o LAB_FILE] [--name LAB] [--force] [--json]',
    summary:
      "build a lab around a customer's `calicoctl get ippool -o yaml` (+ Felix/BGP resources)",
  },
} as const satisfies Record<string, { words: readonly string[]; usage: string; summary: string }>;
