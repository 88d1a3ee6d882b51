// Shapes of the lab document's `firewall` (a perimeter firewall in the router) and `enterprise`
// (Calico Enterprise egress gateways) sections. Semantic checks live in lab-perimeter.ts.
import { z } from 'zod';

const labels = z.record(z.string(), z.string());
const port = z.number().int().min(1).max(65535);
const action = z.enum(['Allow', 'Deny']);

export const firewallSection = z
  .strictObject({
    defaultAction: action
      .optional()
      .describe(
        'What happens to a new outbound connection (cluster to hosts) no rule matches: Allow (default) or Deny.',
      ),
    inboundDefaultAction: action
      .optional()
      .describe(
        'What happens to a new inbound connection (hosts to the cluster: pods, NodePorts, LoadBalancer and external IPs) no Inbound rule matches: Allow (default) or Deny.',
      ),
    rules: z
      .array(
        z
          .strictObject({
            action: action.describe('Allow or Deny.'),
            direction: z
              .enum(['Outbound', 'Inbound'])
              .optional()
              .describe(
                'Outbound (default): connections the cluster opens towards the hosts. Inbound: connections hosts open into the cluster.',
              ),
            source: z
              .string()
              .optional()
              .describe(
                'Source CIDR as the firewall sees it: the node address when the node SNATs (natOutgoing), the pod address otherwise. Inbound: a host name of this lab or a CIDR.',
              ),
            destination: z
              .string()
              .optional()
              .describe(
                'Destination: a host name of this lab or a CIDR. Inbound: a CIDR of the cluster (pod addresses, a node address for its NodePorts, a LoadBalancer or external IP).',
              ),
            protocol: z.enum(['tcp', 'udp', 'icmp']).optional().describe('tcp, udp or icmp.'),
            ports: z
              .array(port)
              .optional()
              .describe('Destination ports (tcp or udp); Inbound to a NodePort: the nodePort.'),
            description: z.string().optional().describe('Shown by explain and in the counters.'),
          })
          .describe('Matched in order; the first rule that matches decides.'),
      )
      .optional()
      .describe('Rules, first match wins.'),
  })
  .describe(
    "A perimeter firewall in the router: filters the connections the cluster opens towards the hosts and those the hosts open into the cluster, by the addresses it sees on the wire (not Calico's: Calico policy runs on the nodes).",
  );

export const enterpriseSection = z
  .strictObject({
    egressGateways: z
      .array(
        z
          .strictObject({
            name: z.string().describe("The gateway pod's name."),
            namespace: z.string().optional().describe('Its namespace (default: default).'),
            node: z.string().describe('The node the gateway pod runs on.'),
            ipPool: z
              .string()
              .describe(
                'The IPPool its address comes from (EgressGateway spec.ipPools); the source address its clients are seen with.',
              ),
            labels: labels
              .optional()
              .describe("The gateway pod's labels, e.g. egress-code: red (clients select them)."),
          })
          .describe('An EgressGateway (operator.tigera.io/v1) with one replica.'),
      )
      .optional()
      .describe('Calico Enterprise egress gateways.'),
    namespaces: z
      .array(
        z
          .strictObject({
            name: z.string().describe('The namespace.'),
            annotations: labels.describe(
              'egress.projectcalico.org/selector and egress.projectcalico.org/namespaceSelector.',
            ),
          })
          .describe("A namespace's annotations."),
      )
      .optional()
      .describe('Namespace annotations choosing an egress gateway for every pod of the namespace.'),
  })
  .describe(
    'Calico Enterprise behaviour (not in Calico Open Source), modelled on its public docs: egress gateways. Pods choose one with the same annotations.',
  );
