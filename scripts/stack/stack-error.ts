/**
 * A problem `npm start` cannot get past on its own. Its message is what the
 * newcomer reads: complete, with the command that fixes it; no stack trace.
 */
export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}
