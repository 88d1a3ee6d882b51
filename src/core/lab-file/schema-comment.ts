// The first line that points yaml-language-server (VS Code's YAML extension and others) at the
// lab file's JSON Schema: `# yaml-language-server: $schema=REF`.

/** Where the committed schema lives, in the repository and in the installed package. */
export const LAB_SCHEMA_PATH = 'schema/egress-lab.schema.json';

const PREFIX = '# yaml-language-server: $schema=';

/** `text` with its schema line set to `ref`: an existing first schema line is replaced. */
export function withSchemaComment(text: string, ref: string): string {
  const line = `${PREFIX}${ref}`;
  if (!text.startsWith(PREFIX)) return `${line}\n${text}`;
  const end = text.indexOf('\n');
  return end < 0 ? line : line + text.slice(end);
}

/** The schema reference of a text's first line, if it has one. */
export function schemaCommentRef(text: string): string | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  const end = text.indexOf('\n');
  return text.slice(PREFIX.length, end < 0 ? undefined : end).trim();
}
