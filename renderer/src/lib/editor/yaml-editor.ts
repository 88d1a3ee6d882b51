// CodeMirror 6 for lab files: YAML highlighting, the core's validation problems shown inline
// (underline, gutter marker, hover message) at their line and column, warnings (accepted input
// the lab does not model) with CodeMirror's warning severity, and completion and field
// descriptions from the lab file's JSON Schema (schema-extensions.ts).
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, forceLinting, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Text } from '@codemirror/state';
import { tags as t } from '@lezer/highlight';
import { EditorView, basicSetup } from 'codemirror';
import type { Problem } from '../api/types.js';
import { schemaAssist } from './schema-extensions.js';

/** Maps a 1-based line/col problem to a document range covering the token there. */
export function problemRange(doc: Text, p: Problem): { from: number; to: number } {
  const lineNo = Math.min(Math.max(p.position?.line ?? 1, 1), doc.lines);
  const line = doc.line(lineNo);
  const from = Math.min(line.from + Math.max((p.position?.col ?? 1) - 1, 0), line.to);
  const rest = doc.sliceString(from, line.to);
  const token = /^[^\s,:{}[\]]+/.exec(rest)?.[0].length ?? 0;
  return { from, to: token > 0 ? from + token : Math.max(from, line.to) };
}

export function problemsToDiagnostics(doc: Text, problems: Problem[]): Diagnostic[] {
  return problems.map((p) => {
    const { from, to } = problemRange(doc, p);
    const what = p.kind ? `${p.kind}(${p.name ?? ''}) ` : '';
    return {
      from,
      to,
      severity: p.severity === 'warning' ? 'warning' : 'error',
      message: `${p.severity === 'warning' ? 'warning: ' : ''}${what}${p.field ? p.field + ': ' : ''}${p.message}`,
    };
  });
}

// Colors come from the app's CSS variables so one theme serves light and dark.
const highlight = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--accent)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--ok)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--snat)' },
  { tag: [t.comment, t.lineComment], color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [t.meta, t.processingInstruction, t.separator, t.punctuation], color: 'var(--muted)' },
]);

const appTheme = EditorView.theme({
  '&': { backgroundColor: 'var(--panel)', color: 'var(--text)', fontSize: '1rem', height: '100%' },
  '.cm-content': {
    caretColor: 'var(--text)',
    fontFamily: "'DejaVu Sans Mono', Menlo, Consolas, monospace",
  },
  '.cm-gutters': {
    backgroundColor: 'var(--panel-2)',
    color: 'var(--muted)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 15%, transparent)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent) !important',
  },
  '.cm-tooltip': {
    backgroundColor: 'var(--panel)',
    color: 'var(--text)',
    border: '1px solid var(--border)',
  },
  '.cm-scroller': { overflow: 'auto' },
  '.cm-schema-hover': { padding: '0.3rem 0.5rem', maxWidth: '32rem' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    backgroundColor: 'var(--accent)',
    color: 'var(--panel)',
  },
});

export interface YamlEditor {
  view: EditorView;
  text(): string;
  setText(text: string): void;
  revalidate(): void;
  goTo(p: Problem): void;
  destroy(): void;
}

export function createYamlEditor(opts: {
  parent: HTMLElement;
  text: string;
  validate: (text: string) => Promise<Problem[]>;
  onProblems: (problems: Problem[]) => void;
  onChange?: (text: string) => void;
}): YamlEditor {
  const lint = linter(
    async (view) => {
      let problems: Problem[];
      try {
        problems = await opts.validate(view.state.doc.toString());
      } catch (err) {
        problems = [{ message: err instanceof Error ? err.message : String(err) }];
      }
      opts.onProblems(problems);
      return problemsToDiagnostics(view.state.doc, problems);
    },
    { delay: 400 },
  );
  const view = new EditorView({
    parent: opts.parent,
    state: EditorState.create({
      doc: opts.text,
      extensions: [
        basicSetup,
        yaml(),
        syntaxHighlighting(highlight),
        appTheme,
        lintGutter(),
        lint,
        schemaAssist(),
        EditorView.contentAttributes.of({ 'aria-label': 'Lab file (YAML)' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange?.(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    revalidate: () => forceLinting(view),
    goTo(p) {
      const { from } = problemRange(view.state.doc, p);
      view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
