// What a lab file may cost before anything is parsed: its own module, so a shell can check a
// file's size without loading the YAML parser (the CLI's --help path stays light).
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ALIAS_COUNT = 100;
