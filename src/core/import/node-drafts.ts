// The lab's nodes while the import places them: names (customer names made DNS labels),
// labels grown to satisfy selectors, and the selectors each node was chosen for.
import { HOSTNAME_LABEL } from '../calico/pool-choice.js';
import { isDns1123Label } from '../calico/names.js';
import { matchesSelector } from '../calico/selector.js';
import { dnsLabel } from './dns-label.js';
import { labelsSatisfying } from './selector-labels.js';

export interface NodeDraft {
  name: string;
  labels: Record<string, string>;
  /** Selectors this node was chosen to satisfy: later label changes must keep them true. */
  serves: string[];
  /** The customer's address for it (a cluster dump), when the fabric holds it. */
  address?: string;
}

export class NodeDrafts {
  readonly list: NodeDraft[] = [];
  /** Customer node name -> lab node name, for the names that are no DNS label. */
  readonly renamed = new Map<string, string>();
  private nextIndex = 1;

  constructor(private readonly report: string[]) {}

  add(name: string, labels: Record<string, string> = {}): NodeDraft {
    const n: NodeDraft = { name, labels, serves: [] };
    this.list.push(n);
    return n;
  }

  /** Customer node names may be DNS subdomains (ip-10-0-1-5.ec2.internal); lab names are labels. */
  labName(customer: string): string {
    if (isDns1123Label(customer)) return customer;
    let name = this.renamed.get(customer);
    if (!name) {
      name = dnsLabel(customer.split('.')[0]!, 50);
      while ([...this.renamed.values()].includes(name) || this.has(name)) name += '-x';
      this.renamed.set(customer, name);
      this.report.push(`node ${customer} is called ${name} in the lab (lab names are DNS labels)`);
    }
    return name;
  }

  /** node-1, node-2 …: the next name no node has. */
  freshName(): string {
    for (;;) {
      const name = `node-${this.nextIndex++}`;
      if (!this.has(name)) return name;
    }
  }

  /** A node `selector` selects: an existing one, one given more labels, or a new one. */
  nodeFor(selector: string, what: string): NodeDraft | undefined {
    const hit = this.list.find((n) => matchesSelector(selector, selectorLabels(n)));
    if (hit) return hit;
    for (const n of this.list) {
      const labels = labelsSatisfying(selector, selectorLabels(n));
      if (labels && n.serves.every((s) => matchesSelector(s, labels))) {
        delete labels[HOSTNAME_LABEL];
        n.labels = labels;
        return n;
      }
    }
    const labels = labelsSatisfying(selector);
    if (!labels) {
      this.report.push(`${what}: nodeSelector "${selector}" selects no node whatever its labels`);
      return undefined;
    }
    const hostname = labels[HOSTNAME_LABEL];
    delete labels[HOSTNAME_LABEL];
    const name = hostname && !this.has(hostname) ? hostname : this.freshName();
    return this.add(name, labels);
  }

  private has(name: string): boolean {
    return this.list.some((n) => n.name === name);
  }
}

/** The labels a nodeSelector sees on a node (its own plus the hostname label). */
function selectorLabels(n: NodeDraft): Record<string, string> {
  return { ...n.labels, [HOSTNAME_LABEL]: n.name };
}
