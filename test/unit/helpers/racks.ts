// The two-rack lab the encapsulation tests share: two nodes in rack-a, one in rack-b, one pod
// on each node; `hosts` adds outside hosts (the encapsulation tests need one, the tunnel
// tests none).
export function twoRacksLab(name: string, hosts = ''): string {
  return `apiVersion: egress-lab/v1
kind: Lab
metadata: {name: ${name}}
spec:
  fabric:
    racks:
      - {name: rack-a, cidr: 172.30.1.0/24}
      - {name: rack-b, cidr: 172.30.2.0/24}
  nodes:
    - {name: node-a1, rack: rack-a}
    - {name: node-a2, rack: rack-a}
    - {name: node-b1, rack: rack-b}
  pods:
    - {name: pod-a1, node: node-a1}
    - {name: pod-a2, node: node-a2}
    - {name: pod-b1, node: node-b1}
${hosts}`;
}
