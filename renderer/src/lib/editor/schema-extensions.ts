// CodeMirror glue for schema-assist: completion (keys, enum values, booleans; Ctrl-Space or
// while typing) and hovers with a field's description, both from the lab file's JSON Schema.
import type { CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { EditorState, type Extension } from '@codemirror/state';
import { hoverTooltip } from '@codemirror/view';
import { labFileJsonSchema } from '../../../../src/core/lab-file/json-schema.js';
import { completionsAt, hoverAt, type JsonSchema } from './schema-assist.js';

let schema: JsonSchema | undefined;
/** Generated once, on first use, from the same zod schemas the loader validates with. */
export function labSchema(): JsonSchema {
  schema ??= labFileJsonSchema();
  return schema;
}

export function schemaCompletion(context: CompletionContext): CompletionResult | null {
  const line = context.state.doc.lineAt(context.pos);
  if (/^\s*#/.test(line.text)) return null;
  const text = context.state.doc.toString();
  const { from, options } = completionsAt(labSchema(), text, context.pos);
  // Typing opens the list only on a word; an empty place waits for Ctrl-Space.
  if (!options.length || (from === context.pos && !context.explicit)) return null;
  return { from, options, validFor: /^[\w./-]*$/ };
}

export function schemaAssist(): Extension {
  return [
    EditorState.languageData.of(() => [{ autocomplete: schemaCompletion }]),
    hoverTooltip((view, pos) => {
      const hover = hoverAt(labSchema(), view.state.doc.toString(), pos);
      if (!hover) return null;
      return {
        pos: hover.from,
        end: hover.to,
        above: true,
        create() {
          const dom = document.createElement('div');
          dom.className = 'cm-schema-hover';
          const [head, ...rest] = hover.text.split('\n');
          const title = document.createElement('strong');
          title.textContent = head ?? '';
          dom.append(title);
          for (const l of rest) {
            const p = document.createElement('div');
            p.textContent = l;
            dom.append(p);
          }
          return { dom };
        },
      };
    }),
  ];
}
