/**
 * Turns a child's output lines into readable terminal lines: pino's JSON
 * through pino-pretty (one line each, time + level + message + fields), any
 * other text as it is.
 */
import { prettyFactory } from 'pino-pretty';

/** Formats one line of a child's output. */
export type LineFormatter = (line: string) => string;

/** A formatter; `color` turns on pino-pretty's level colours. */
export function createLineFormatter(color: boolean): LineFormatter {
  const pretty = prettyFactory({
    colorize: color,
    singleLine: true,
    // The prefix already names the process; pid and host are noise on one machine.
    ignore: 'pid,hostname,app,name',
    translateTime: 'SYS:HH:MM:ss.l',
  });
  return (line) => {
    if (!line.startsWith('{')) return line;
    try {
      const parsed = JSON.parse(line) as { level?: unknown };
      if (typeof parsed.level !== 'number') return line;
      return pretty(parsed).trimEnd();
    } catch {
      return line;
    }
  };
}

/** Calls `onLine` for every complete line of `stream` (and the last partial one at its end). */
export function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (buffer) onLine(buffer);
    buffer = '';
  });
}
