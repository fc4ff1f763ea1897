/**
 * The SMTP sink of `npm run bench:live` as its own process, so its CPU is
 * measured apart from the load generator's: a CountingSmtpSink that writes
 * `ready <port>` once listening, then `m <eventId> <epoch ms>` when the first
 * copy of each event's mail is accepted. Stops on SIGTERM/SIGINT.
 */
import { CountingSmtpSink } from './bench-pipeline-support';

const sink = new CountingSmtpSink();
let lines: string[] = [];
sink.onFirstArrival = (eventId, at) => void lines.push(`m ${eventId} ${at}\n`);
// One write per 20 ms, not one per mail: the pipe costs this process less.
const flush = setInterval(() => {
  if (lines.length === 0) return;
  process.stdout.write(lines.join(''));
  lines = [];
}, 20);

async function stop(): Promise<void> {
  clearInterval(flush);
  await sink.stop().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

void sink.start().then(() => process.stdout.write(`ready ${sink.port}\n`));
