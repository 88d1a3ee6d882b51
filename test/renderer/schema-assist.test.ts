// Completion and hovers in the lab editor come from the lab file's JSON Schema: keys of the
// mapping at the cursor, values of enums and booleans, descriptions on hover.
import { describe, expect, it } from 'vitest';
import {
  completionsAt,
  hoverAt,
  placeAt,
  type JsonSchema,
} from '../../renderer/src/lib/editor/schema-assist.js';
import { labFileJsonSchema } from '../../src/core/lab-file/json-schema.js';

const schema = labFileJsonSchema() as JsonSchema;

// `|` marks the cursor.
function at(textWithCursor: string) {
  const pos = textWithCursor.indexOf('|');
  return { text: textWithCursor.slice(0, pos) + textWithCursor.slice(pos + 1), pos };
}
const labels = (t: string) => {
  const { text, pos } = at(t);
  return completionsAt(schema, text, pos).options.map((o) => o.label);
};

const LAB = `# yaml-language-server: $schema=../schema/egress-lab.schema.json
apiVersion: egress-lab/v1
kind: Lab
metadata:
  name: demo
spec:
  nodes:
    - name: node-1
      address: 172.30.0.11
  pods:
    - { name: web-1, node: node-1 }
`;

describe('lab editor completion from the JSON Schema', () => {
  it('offers the Lab spec keys under spec:', () => {
    const l = labels(LAB.replace('  nodes:', '  |\n  nodes:'));
    expect(l).toEqual(expect.arrayContaining(['nodes', 'pods', 'hosts', 'expect', 'router']));
    expect(l).not.toContain('cidr');
  });

  it('offers a node item’s keys in a block sequence item, the typed word kept as prefix', () => {
    const { text, pos } = at(LAB.replace('      address: 172.30.0.11', '      ext|'));
    expect(placeAt(text, pos).path).toEqual(['spec', 'nodes', '[]']);
    const c = completionsAt(schema, text, pos);
    expect(c.from).toBe(pos - 3);
    expect(c.options.map((o) => o.label)).toEqual(
      expect.arrayContaining(['name', 'address', 'labels', 'extraAddresses']),
    );
  });

  it('offers a pod item’s keys inside a flow mapping', () => {
    const l = labels(LAB.replace('node: node-1 }', 'node: node-1, | }'));
    expect(l).toEqual(expect.arrayContaining(['name', 'node', 'namespace', 'annotations']));
  });

  it('offers enum values and booleans for an IPPool', () => {
    const pool = `${LAB}---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: p
spec:
  ipipMode: |
`;
    expect(labels(pool)).toEqual(['Always', 'CrossSubnet', 'Never']);
    expect(labels(pool.replace('ipipMode: |', 'natOutgoing: |'))).toEqual(['true', 'false']);
    // and the IPPool's own keys, not the Lab's
    const keys = labels(pool.replace('ipipMode: |', '|'));
    expect(keys).toEqual(expect.arrayContaining(['cidr', 'natOutgoing', 'nodeSelector']));
    expect(keys).not.toContain('nodes');
    expect(labels(pool.replace('kind: IPPool', 'kind: |'))).toEqual(
      expect.arrayContaining(['Lab', 'IPPool', 'BGPPeer', 'FelixConfiguration', 'List']),
    );
  });

  it('offers expect protocols', () => {
    const text = `${LAB}  expect:\n    - from: web-1\n      protocol: |\n`;
    expect(labels(text)).toEqual(['icmp', 'tcp', 'udp']);
  });

  it('hovers a key with its path and description', () => {
    const text = `${LAB}---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: p
spec:
  natOutgoing: true
`;
    const pos = text.indexOf('natOutgoing') + 3;
    const h = hoverAt(schema, text, pos)!;
    expect(h.text).toMatch(/^spec\.natOutgoing \(boolean\)\n.*Masquerade/);
    expect(text.slice(h.from, h.to)).toBe('natOutgoing');
    const flow = hoverAt(schema, LAB, LAB.indexOf('node: node-1 }') + 1)!;
    expect(flow.text).toMatch(/^spec\.pods\[\]\.node \(string\)\nThe node the pod runs on/);
    expect(hoverAt(schema, LAB, LAB.indexOf('demo'))).toBeUndefined();
  });
});

describe('the YAML editor wires completion to the schema', () => {
  it('registers the schema completion source and answers Ctrl-Space on a spec key', async () => {
    const { createYamlEditor } = await import('../../renderer/src/lib/editor/yaml-editor.js');
    const { CompletionContext } = await import('@codemirror/autocomplete');
    const parent = document.createElement('div');
    document.body.append(parent);
    const { text, pos } = at(LAB.replace('  nodes:', '  po|\n  nodes:'));
    const editor = createYamlEditor({
      parent,
      text,
      validate: () => Promise.resolve([]),
      onProblems: () => {},
    });
    try {
      const state = editor.view.state;
      const sources = state.languageDataAt<(c: unknown) => unknown>('autocomplete', pos);
      const results = sources
        .map((source) => source(new CompletionContext(state, pos, true)))
        .filter(Boolean) as { from: number; options: { label: string; info?: string }[] }[];
      expect(results).toHaveLength(1);
      expect(results[0]!.from).toBe(pos - 2);
      const pods = results[0]!.options.find((o) => o.label === 'pods');
      expect(pods?.info).toMatch(/network namespace/);
    } finally {
      editor.destroy();
      parent.remove();
    }
  });
});
