/**
 * The one terminal stream of `npm start`: every line prefixed with the name of
 * the process it comes from, in that process's colour (when the terminal
 * supports colour), so six interleaved processes stay readable.
 */

/** A server the stack started itself (private PostgreSQL or Redis). */
export interface PrivateService {
  name: string;
  url: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/** Where the stack writes. */
export interface StackOutput {
  /** A line from the stack runner itself or about a process. */
  info(source: string, message: string): void;
  warn(source: string, message: string): void;
  error(source: string, message: string): void;
  /** An already formatted line of a child process. */
  line(source: string, text: string): void;
  /** Text written as is (the banner). */
  raw(text: string): void;
  /** Whether ANSI colours are on. */
  readonly color: boolean;
}

const PALETTE = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];
const PREFIX_WIDTH = 9;

/** Wraps `text` in an ANSI colour code when `on`. */
export function paint(on: boolean, code: number | string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Creates the prefixed output on `stream` (stdout). */
export function createStackOutput(stream: NodeJS.WritableStream & { isTTY?: boolean }, color: boolean): StackOutput {
  const colours = new Map<string, number>();
  const colourOf = (source: string): number => {
    const base = source.replace(/-\d+$/, '');
    let c = colours.get(source);
    if (c === undefined) {
      // Replicas (ws-1, ws-2) share a colour; distinct apps get distinct ones.
      c = colours.get(base) ?? PALETTE[colours.size % PALETTE.length]!;
      colours.set(source, c);
      colours.set(base, c);
    }
    return c;
  };
  const prefix = (source: string) => paint(color, colourOf(source), `${source.padEnd(PREFIX_WIDTH)}|`);
  const write = (source: string, text: string) => {
    for (const l of text.split('\n')) stream.write(`${prefix(source)} ${l}\n`);
  };
  return {
    color,
    info: (source, message) => write(source, message),
    warn: (source, message) => write(source, paint(color, 33, message)),
    error: (source, message) => write(source, paint(color, 31, message)),
    line: write,
    raw: (text) => stream.write(text),
  };
}
