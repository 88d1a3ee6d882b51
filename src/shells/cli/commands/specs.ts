// What `egress-lab help` shows of each command, as plain data: the help path reads this and
// nothing else, so no command's code (nor the service, the engine client or the schemas
// behind it) loads until that command runs. `flags` describes every option a command's
// parser takes (test/unit/cli/help-and-flags.test.ts compares them with the commands' code);
// `help CMD`, `CMD --help` and the shell completion scripts are generated from them.
import type { CommandSpec, FlagSpec } from '../command.js';

const NAME: FlagSpec = {
  name: 'name',
  value: 'LAB',
  help: 'the lab (default: the only running lab)',
};
const JSON_OUT: FlagSpec = { name: 'json', help: 'print the result as JSON (also: -o json)' };
const DRY_RUN: FlagSpec = { name: 'dry-run', help: 'say what would change, change nothing' };
const FORCE: FlagSpec = { name: 'force', help: 'write over an existing file' };
const FILE_IN: FlagSpec = {
  name: 'file',
  short: 'f',
  value: 'FILE',
  file: true,
  help: 'read resources from FILE (- reads standard input)',
};

export const SPECS = {
  validate: {
    words: ['validate'],
    usage: 'egress-lab validate FILE... [--json]',
    summary:
      'check a lab file, or Calico resources alone, as Calico (v3.30 … v3.33) would; warn about what the lab does not model',
    flags: [JSON_OUT],
  },
  rules: {
    words: ['rules'],
    usage: 'egress-lab rules FILE [--node NAME] [--format iptables|ipset|nft|routes|bird] [--json]',
    summary:
      'print the ipsets and nat rules (or nftables table), routes and BIRD config Calico would program on a node',
    flags: [
      { name: 'node', value: 'NAME', help: 'only this node' },
      {
        name: 'format',
        value: 'FORMAT',
        choices: ['iptables', 'ipset', 'nft', 'routes', 'bird'],
        help: 'print only this part, as text',
      },
      JSON_OUT,
    ],
  },
  explain: {
    words: ['explain'],
    usage: 'egress-lab explain FILE --from POD --to ADDRESS|NAME [--ipv6] [--json]',
    summary: 'say which pool, rule and source address a packet from a pod to a destination gets',
    flags: [
      { name: 'from', value: 'POD', help: 'the pod the packet leaves' },
      {
        name: 'to',
        value: 'ADDRESS|NAME',
        help: 'its destination: an address or a host, pod or node name',
      },
      {
        name: 'ipv6',
        help: 'the IPv6 flow (IPv6 labs): names stand for their IPv6 addresses (an IPv6 address implies it)',
      },
      JSON_OUT,
    ],
  },
  getIppool: {
    words: ['get', 'ippool'],
    usage: 'egress-lab get ippool [NAME] (-f FILE | [--name LAB]) [-o wide|yaml|json|name]',
    summary: 'list IP pools like calicoctl get ippool, from a file or a running lab',
    flags: [
      FILE_IN,
      {
        name: 'output',
        short: 'o',
        value: 'FORMAT',
        choices: ['wide', 'yaml', 'json', 'name'],
        help: 'output format (default: a table)',
      },
      NAME,
    ],
  },
  get: {
    words: ['get'],
    usage:
      'egress-lab get KIND [NAME...] (-f FILE | [--name LAB]) [-n NAMESPACE | -A] [-o wide|yaml|json|name]',
    summary:
      'list bgppeers, bgpconfigurations, felixconfigurations, ippools, networkpolicies, globalnetworkpolicies, networksets, globalnetworksets (as calicoctl get) or services, netpols (as kubectl get)',
    completeWords: [
      'bgppeer',
      'bgpconfiguration',
      'felixconfiguration',
      'ippool',
      'networkpolicy',
      'globalnetworkpolicy',
      'networkset',
      'globalnetworkset',
      'netpol',
      'service',
    ],
    flags: [
      FILE_IN,
      {
        name: 'output',
        short: 'o',
        value: 'FORMAT',
        choices: ['wide', 'yaml', 'json', 'name'],
        help: 'output format (default: a table)',
      },
      NAME,
      {
        name: 'namespace',
        short: 'n',
        value: 'NAMESPACE',
        help: 'namespace of policies, network sets and Services (default: default)',
      },
      {
        name: 'all-namespaces',
        short: 'A',
        help: 'every namespace (policies, network sets, Services)',
      },
    ],
  },
  setup: {
    words: ['setup'],
    usage: 'egress-lab setup',
    summary:
      'find (or, as root on Debian, install and start) a Docker engine and build the lab image',
    flags: [],
  },
  up: {
    words: ['up'],
    usage: 'egress-lab up FILE...|BUNDLE [--name LAB] [--json]',
    summary:
      'start a lab (or converge a running one to the file, or bring back a bundle with its addresses); returns when it is ready',
    flags: [NAME, JSON_OUT],
  },
  status: {
    words: ['status'],
    usage: 'egress-lab status [--name LAB] [--json]',
    summary: 'per container: state, addresses and BGP sessions',
    aliases: [['inspect']],
    flags: [NAME, JSON_OUT],
  },
  down: {
    words: ['down'],
    usage: 'egress-lab down [--name LAB | --all] [--json]',
    summary: "remove a lab's containers (idempotent); --all removes every lab",
    flags: [NAME, { name: 'all', help: 'remove every lab' }, JSON_OUT],
  },
  exec: {
    words: ['exec'],
    usage: 'egress-lab exec [--name LAB] NAME -- CMD...',
    summary: 'run a command (argv, no shell) in a lab container; exits with its status',
    flags: [NAME],
  },
  serve: {
    words: ['serve'],
    usage: 'egress-lab serve [--port P]',
    summary: 'browser mode: the app on 127.0.0.1 with a random token in the URL (Ctrl-C stops it)',
    flags: [{ name: 'port', value: 'P', help: 'port on 127.0.0.1 (default: a free one)' }],
  },
  ping: {
    words: ['ping'],
    usage: 'egress-lab ping [--name LAB] FROM TO [--count N] [--interval MS] [--json]',
    summary:
      'ping from a lab container to a host, pod or node name, or an address of the lab (exit 1: no reply)',
    flags: [
      NAME,
      { name: 'count', short: 'c', value: 'N', help: 'stop after N echo requests' },
      { name: 'interval', value: 'MS', help: 'milliseconds between requests' },
      JSON_OUT,
    ],
  },
  capture: {
    words: ['capture'],
    usage:
      'egress-lab capture [--name LAB] NAME [--iface IF] [--count N] [--timeout S] [-w FILE|-] [--json] [FILTER...]',
    summary:
      'tcpdump in a lab container: prints the real lines as they arrive; Ctrl-C stops tcpdump in the container',
    flags: [
      NAME,
      { name: 'iface', short: 'i', value: 'IF', help: 'interface (default: any)' },
      { name: 'count', short: 'c', value: 'N', help: 'stop after N packets' },
      { name: 'timeout', value: 'S', help: 'stop after S seconds' },
      {
        name: 'pcap',
        short: 'w',
        value: 'FILE',
        file: true,
        help: 'write the capture as pcap to FILE when it ends; - streams pcap to stdout as packets arrive (| wireshark -k -i -)',
      },
      JSON_OUT,
    ],
  },
  calicoVersion: {
    words: ['set', 'calico-version'],
    usage: 'egress-lab set calico-version VERSION [--name LAB] [--dry-run] [--json]',
    summary: 'move a running lab to another Calico version (v3.30 … v3.33): the rules follow',
    flags: [NAME, DRY_RUN, JSON_OUT],
  },
  patch: {
    words: ['patch', 'ippool'],
    usage: 'egress-lab patch ippool NAME --patch JSON [--name LAB] [--dry-run] [--json]',
    summary:
      'merge-patch an IP pool of a running lab, like calicoctl patch; only what changed is applied',
    flags: [
      { name: 'patch', short: 'p', value: 'JSON', help: 'the JSON merge patch' },
      NAME,
      DRY_RUN,
      JSON_OUT,
    ],
  },
  patchResource: {
    words: ['patch'],
    usage: 'egress-lab patch KIND NAME -p JSON [-n NAMESPACE] [--name LAB] [--dry-run] [--json]',
    summary:
      'merge-patch a policy, network set or Service of a running lab, like calicoctl/kubectl patch (KIND: networkpolicy, globalnetworkpolicy, networkset, globalnetworkset, netpol, service)',
    completeWords: [
      'networkpolicy',
      'globalnetworkpolicy',
      'networkset',
      'globalnetworkset',
      'service',
    ],
    flags: [
      { name: 'patch', short: 'p', value: 'JSON', help: 'the JSON merge patch' },
      NAME,
      {
        name: 'namespace',
        short: 'n',
        value: 'NAMESPACE',
        help: 'namespace of NAME (default: default)',
      },
      DRY_RUN,
      JSON_OUT,
    ],
  },
  apply: {
    words: ['apply'],
    usage: 'egress-lab apply -f FILE [--name LAB] [--dry-run] [--json]',
    summary: 'create or replace Calico resources in a running lab (calicoctl apply semantics)',
    flags: [FILE_IN, NAME, DRY_RUN, JSON_OUT],
  },
  delete: {
    words: ['delete', 'ippool'],
    usage: 'egress-lab delete ippool NAME [--name LAB] [--json]',
    summary: 'delete an IP pool from a running lab, like calicoctl delete',
    flags: [NAME, JSON_OUT],
  },
  create: {
    words: ['create'],
    usage: 'egress-lab create -f FILE [--name LAB] [--dry-run] [--json]',
    summary: 'create Calico resources in a running lab; fails if one exists (calicoctl create)',
    flags: [FILE_IN, NAME, DRY_RUN, JSON_OUT],
  },
  replace: {
    words: ['replace'],
    usage: 'egress-lab replace -f FILE [--name LAB] [--dry-run] [--json]',
    summary:
      'replace Calico resources of a running lab; fails if one is missing (calicoctl replace)',
    flags: [FILE_IN, NAME, DRY_RUN, JSON_OUT],
  },
  deleteFile: {
    words: ['delete'],
    usage: 'egress-lab delete -f FILE [--name LAB] [--dry-run] [--json]',
    summary:
      'delete the resources a file describes from a running lab (calicoctl delete -f; the default BGP and Felix configurations go back to defaults)',
    flags: [FILE_IN, NAME, DRY_RUN, JSON_OUT],
  },
  conntrack: {
    words: ['conntrack'],
    usage: 'egress-lab conntrack [--name LAB] NODE [--flush [--pod POD]] [--json]',
    summary: "list a node's conntrack entries (translated ones marked), or flush all or one pod's",
    flags: [
      NAME,
      { name: 'flush', help: 'delete the entries instead of listing them' },
      { name: 'pod', value: 'POD', help: 'with --flush: only entries of this pod' },
      JSON_OUT,
    ],
  },
  check: {
    words: ['check'],
    usage: 'egress-lab check FILE [--name LAB] [--json]',
    summary:
      "run a lab file's expect entries on the running lab (starting it if needed) with real traffic and captures",
    flags: [NAME, JSON_OUT],
  },
  traffic: {
    words: ['traffic'],
    usage:
      'egress-lab traffic [--name LAB] FROM TO [--proto icmp|tcp|udp] [--port P] [--interval MS] [--count N] [--new-flows] [--ipv6] [--json]',
    summary:
      'send continuous or counted traffic from a pod and count the replies (exit 1: none came back)',
    flags: [
      NAME,
      {
        name: 'proto',
        value: 'PROTO',
        choices: ['icmp', 'tcp', 'udp'],
        help: 'protocol (default: icmp)',
      },
      { name: 'port', value: 'P', help: 'destination port for tcp and udp' },
      { name: 'interval', value: 'MS', help: 'milliseconds between packets' },
      { name: 'count', short: 'c', value: 'N', help: 'stop after N packets' },
      {
        name: 'new-flows',
        help: 'a new source port for every packet (a new conntrack entry each)',
      },
      {
        name: 'ipv6',
        help: 'over IPv6: a name in TO means its IPv6 address (dual-stack labs; IPv6-only labs always)',
      },
      JSON_OUT,
    ],
  },
  new: {
    words: ['new'],
    usage: 'egress-lab new (TEMPLATE [FILE] [--force] | --list [--json])',
    summary: 'write a copy of a lab template to edit; --list shows the templates',
    flags: [{ name: 'list', help: 'list the templates' }, FORCE, JSON_OUT],
  },
  importLab: {
    words: ['import'],
    usage:
      'egress-lab import FILE|DIR... [-o LAB_FILE] [--name LAB] [--dest ADDRESS]... [--max-pods N] [--force] [--json]',
    summary:
      "build a lab around a customer's `calicoctl get ippool -o yaml` (+ Felix/BGP resources), or their cluster dump (nodes, pods, IPAM blocks)",
    flags: [
      { name: 'output', short: 'o', value: 'LAB_FILE', file: true, help: 'the lab file to write' },
      {
        name: 'dest',
        value: 'ADDRESS',
        help: 'a destination the pods talk to: an outside host at that address (private or documentation ranges; repeatable)',
      },
      {
        name: 'max-pods',
        value: 'N',
        help: "a cluster dump's pods kept at most (default 100, a few per node)",
      },
      NAME,
      FORCE,
      JSON_OUT,
    ],
  },
  graph: {
    words: ['graph'],
    usage: 'egress-lab graph [FILE | --name LAB] [-o svg|png|clab] [-w FILE]',
    summary:
      'draw the topology (containers, links, interface names, racks, tunnels) as SVG, PNG or a containerlab-style YAML',
    flags: [
      NAME,
      {
        name: 'output',
        short: 'o',
        value: 'FORMAT',
        choices: ['svg', 'png', 'clab'],
        help: 'svg (default), png (needs rsvg-convert or ImageMagick), clab (containerlab-style YAML)',
      },
      {
        name: 'write',
        short: 'w',
        value: 'FILE',
        file: true,
        help: 'write to FILE instead of stdout',
      },
    ],
  },
  save: {
    words: ['save'],
    usage: 'egress-lab save [--name LAB] DIR|FILE.json',
    summary:
      "write a running lab's state: its lab file, and per container the live addresses, routes, nat rules, ipsets and BIRD state",
    flags: [NAME],
  },
  exerciseShow: {
    words: ['exercise', 'show'],
    usage: 'egress-lab exercise show (FILE | [--name LAB]) [--json]',
    summary: "list a lab's exercise: each step's instruction, hints, checkpoint and checks",
    flags: [NAME, JSON_OUT],
  },
  exerciseCheck: {
    words: ['exercise', 'check'],
    usage: 'egress-lab exercise check [--name LAB] --step N [--json]',
    summary:
      "prove an exercise step's checks on the running lab with real traffic and captures (exit 1: the step fails)",
    flags: [NAME, { name: 'step', value: 'N', help: 'the step, from 1' }, JSON_OUT],
  },
  exerciseReset: {
    words: ['exercise', 'reset'],
    usage: 'egress-lab exercise reset [--name LAB] --step N [--json]',
    summary:
      "bring a running lab back to an exercise step's checkpoint, as one change (no down/up)",
    flags: [NAME, { name: 'step', value: 'N', help: 'the step, from 1' }, JSON_OUT],
  },
  workshopUp: {
    words: ['workshop', 'up'],
    usage: 'egress-lab workshop up TEMPLATE|FILE --students N [--prefix P] [--dry-run] [--json]',
    summary:
      'start N copies of a lab, one per student (<prefix>-1 … <prefix>-N), after a capacity estimate that refuses too many',
    flags: [
      { name: 'students', value: 'N', help: 'how many copies' },
      {
        name: 'prefix',
        value: 'P',
        help: "the labs' names start with it (default: the lab's name)",
      },
      { name: 'dry-run', help: 'print the names and the capacity estimate, start nothing' },
      JSON_OUT,
    ],
  },
  workshopServe: {
    words: ['workshop', 'serve'],
    usage: 'egress-lab workshop serve --prefix P [--port P]',
    summary:
      "browser mode for a workshop: the instructor's URL (every lab, live progress) and one URL per student lab, each with its own token",
    flags: [
      { name: 'prefix', value: 'P', help: 'serve the running labs named <P>-<number>' },
      { name: 'port', value: 'P', help: 'port on 127.0.0.1 (default: a free one)' },
    ],
  },
  workshopDown: {
    words: ['workshop', 'down'],
    usage: 'egress-lab workshop down --prefix P [--json]',
    summary: 'remove every lab of a workshop (the running labs named <P>-<number>)',
    flags: [{ name: 'prefix', value: 'P', help: 'the labs named <P>-<number>' }, JSON_OUT],
  },
  diff: {
    words: ['diff'],
    usage: 'egress-lab diff (FILE | --name LAB) --node NODE DUMP... [--json]',
    summary:
      "compare a node's iptables-save (or nft list ruleset), ipset list and ip route with what Calico should program there for the lab's resources (exit 1 on a difference that changes packets)",
    flags: [{ name: 'node', value: 'NODE', help: 'the lab node the dump is from' }, NAME, JSON_OUT],
  },
  trace: {
    words: ['trace'],
    usage: 'egress-lab trace [--name LAB] FROM TO [--proto icmp|tcp|udp] [--port P] [--json]',
    summary:
      "send one packet from a pod and show the kernel's own trace of it in the node, each rule with the pool or setting behind it, and where explain disagrees (exit 1)",
    flags: [
      NAME,
      {
        name: 'proto',
        value: 'PROTO',
        choices: ['icmp', 'tcp', 'udp'],
        help: 'the probe (default icmp)',
      },
      { name: 'port', value: 'P', help: "tcp/udp port (default: the host's first echo port)" },
      JSON_OUT,
    ],
  },
  bundle: {
    words: ['bundle'],
    usage:
      'egress-lab bundle [--name LAB] [-o FILE|-] [--check] [--pcap CONTAINER=FILE]... [--dump NODE=FILE]... [--force]',
    summary:
      "write a running lab in one file: lab file and addresses, rendered and live rules, ipsets, routes, conntrack and BIRD state of every container, explain (and check), captures, a customer's node dumps with their diff; `up FILE` brings it back",
    flags: [
      NAME,
      {
        name: 'output',
        short: 'o',
        value: 'FILE',
        file: true,
        help: 'where to write it (default LAB.bundle.json; - for standard output)',
      },
      { name: 'check', help: 'run check (real traffic) and keep its report' },
      {
        name: 'pcap',
        value: 'CONTAINER=FILE',
        help: 'add a pcap file taken on CONTAINER (repeatable)',
      },
      {
        name: 'dump',
        value: 'NODE=FILE',
        help: "add a customer's dump of NODE and its diff (repeatable)",
      },
      FORCE,
    ],
  },
  completion: {
    words: ['completion'],
    usage: 'egress-lab completion bash|zsh|fish',
    completeWords: ['bash', 'zsh', 'fish'],
    summary: 'print a shell completion script for every command and option',
    flags: [],
  },
} as const satisfies Record<string, CommandSpec>;
