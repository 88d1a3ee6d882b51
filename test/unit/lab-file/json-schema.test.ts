// The lab file's JSON Schema (schema/egress-lab.schema.json): the committed file is what the
// generator produces from the zod schemas, and it accepts every template's documents and
// rejects documents the loader rejects for their shape.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  LAB_SCHEMA_PATH,
  labFileJsonSchema,
  staleAnnotations,
} from '../../../src/core/lab-file/json-schema.js';
import { schemaCommentRef, withSchemaComment } from '../../../src/core/lab-file/schema-comment.js';

const dir = 'lab-templates';
const templates = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

// ajv is a devDependency; without it the validation tests
// are skipped, loudly.
type Validate = ((data: unknown) => boolean) & { errors?: unknown };
let compile: ((schema: object) => Validate) | undefined;
try {
  const Ajv = createRequire(import.meta.url)('ajv') as new (opts: object) => {
    compile(schema: object): Validate;
  };
  const ajv = new Ajv({ allErrors: true, strict: false });
  compile = (schema) => ajv.compile(schema);
} catch {
  console.warn('json-schema.test: ajv is not installed, schema validation tests are SKIPPED');
}

function documentsOf(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

describe('lab file JSON Schema', () => {
  it('the committed schema is what the generator produces (run `npm run schema`)', () => {
    const committed = JSON.parse(readFileSync(LAB_SCHEMA_PATH, 'utf8')) as unknown;
    expect(committed).toEqual(labFileJsonSchema());
  });

  it('describes only fields the schemas have (a renamed field needs its description moved)', () => {
    expect(staleAnnotations()).toEqual([]);
  });

  it('every template points yaml-language-server at it', () => {
    for (const f of templates) {
      const first = readFileSync(`${dir}/${f}`, 'utf8').split('\n')[0];
      expect(first, f).toBe(`# yaml-language-server: $schema=../${LAB_SCHEMA_PATH}`);
    }
  });

  describe.skipIf(!compile)('validation', () => {
    const validate = compile?.(labFileJsonSchema());

    for (const f of templates) {
      it(`accepts every document of ${f}`, () => {
        const docs = documentsOf(readFileSync(`${dir}/${f}`, 'utf8'));
        expect(docs.length).toBeGreaterThan(0);
        for (const doc of docs) expect(validate!(doc), JSON.stringify(validate!.errors)).toBe(true);
      });
    }

    it('accepts Lists of Calico resources, items without apiVersion (and kind in a typed list)', () => {
      const ok = [
        {
          apiVersion: 'v1',
          kind: 'List',
          items: [{ kind: 'IPPool', metadata: { name: 'p' }, spec: { cidr: '10.0.0.0/16' } }],
        },
        {
          apiVersion: 'projectcalico.org/v3',
          kind: 'IPPoolList',
          items: [{ metadata: { name: 'p' }, spec: { natOutgoing: true } }],
        },
      ];
      for (const doc of ok) expect(validate!(doc), JSON.stringify(validate!.errors)).toBe(true);
    });

    it('rejects what the loader rejects for its shape', () => {
      const lab = documentsOf(readFileSync(`${dir}/outgoing-nat.yaml`, 'utf8'))[0] as {
        spec: Record<string, unknown>;
      };
      const bad: unknown[] = [
        // an unknown field in a strict object
        { ...lab, spec: { ...lab.spec, nodez: [] } },
        // a wrong type
        { ...lab, spec: { ...lab.spec, nodes: 'node-1' } },
        // an enum value outside the enum
        {
          ...lab,
          spec: {
            ...lab.spec,
            expect: [{ from: 'a', to: 'b', protocol: 'sctp', seenAs: 'x', reply: true }],
          },
        },
        // a kind the lab does not know
        { apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'x' } },
        // a Calico resource with the Lab's apiVersion
        { apiVersion: 'egress-lab/v1', kind: 'IPPool', metadata: { name: 'x' } },
        // an IPPool whose natOutgoing is a string
        {
          apiVersion: 'projectcalico.org/v3',
          kind: 'IPPool',
          metadata: { name: 'x' },
          spec: { natOutgoing: 'yes' },
        },
        // a mode Calico does not know
        {
          apiVersion: 'projectcalico.org/v3',
          kind: 'IPPool',
          metadata: { name: 'x' },
          spec: { ipipMode: 'Sometimes' },
        },
        // a List item without its kind
        { apiVersion: 'v1', kind: 'List', items: [{ metadata: { name: 'p' } }] },
      ];
      for (const doc of bad) expect(validate!(doc), JSON.stringify(doc)).toBe(false);
    });

    it('carries descriptions for hovers', () => {
      const s = labFileJsonSchema() as {
        definitions: Record<
          string,
          { properties: Record<string, { properties: Record<string, { description?: string }> }> }
        >;
      };
      expect(s.definitions.IPPool!.properties.spec!.properties.natOutgoing!.description).toMatch(
        /Masquerade/,
      );
    });
  });
});

describe('schema comment', () => {
  it('replaces a first schema line, or prepends one', () => {
    expect(withSchemaComment('# yaml-language-server: $schema=../a.json\nkind: Lab\n', 'b')).toBe(
      '# yaml-language-server: $schema=b\nkind: Lab\n',
    );
    expect(withSchemaComment('# a lab\nkind: Lab\n', 'b')).toBe(
      '# yaml-language-server: $schema=b\n# a lab\nkind: Lab\n',
    );
    expect(schemaCommentRef('# yaml-language-server: $schema=x.json\n')).toBe('x.json');
    expect(schemaCommentRef('kind: Lab\n')).toBeUndefined();
  });
});
