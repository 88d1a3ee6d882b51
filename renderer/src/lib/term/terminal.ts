// A live tcpdump pane: xterm.js keeps thousands of lines cheap to render and scroll.
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

export interface LiveTerminal {
  writeLine(line: string): void;
  clear(): void;
  setDark(dark: boolean): void;
  fit(): void;
  dispose(): void;
}

const LIGHT: ITheme = {
  background: '#ffffff',
  foreground: '#111827',
  cursor: '#ffffff',
  selectionBackground: '#bfdbfe',
  green: '#047857',
  yellow: '#c2410c',
  brightYellow: '#c2410c',
  brightGreen: '#047857',
  cyan: '#1d4ed8',
};
const DARK: ITheme = {
  background: '#0b0f14',
  foreground: '#e8ebef',
  cursor: '#0b0f14',
  selectionBackground: '#1e3a5f',
  green: '#4ade80',
  yellow: '#fb923c',
  brightYellow: '#fb923c',
  brightGreen: '#4ade80',
  cyan: '#6ea8fe',
};

export function createLiveTerminal(parent: HTMLElement, dark: boolean): LiveTerminal {
  const term = new Terminal({
    convertEol: true,
    disableStdin: true,
    cursorBlink: false,
    scrollback: 5000,
    fontSize: 15,
    fontFamily: "'DejaVu Sans Mono', Menlo, Consolas, monospace",
    theme: dark ? DARK : LIGHT,
    screenReaderMode: false,
  });
  const fitAddon = new FitAddon();
  term.loadAddon(fitAddon);
  term.open(parent);
  const fit = (): void => {
    try {
      fitAddon.fit();
    } catch {
      // not laid out yet (hidden pane); the next resize fits it
    }
  };
  fit();
  const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(fit);
  observer?.observe(parent);
  return {
    writeLine: (line) => term.writeln(line),
    clear: () => term.clear(),
    setDark: (d) => (term.options.theme = d ? DARK : LIGHT),
    fit,
    dispose: () => {
      observer?.disconnect();
      term.dispose();
    },
  };
}
