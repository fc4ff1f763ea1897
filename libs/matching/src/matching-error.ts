/**
 * A broken precondition of the matching engine: malformed input that the edge
 * should have refused (a market order with a price, a zero quantity, ...) or an
 * order state that would break an invariant (an overfill, a fill of a final
 * order).
 *
 * Business refusals are never thrown: they come back as
 * `MatchResult.rejected`. This error always means a bug in the caller, so it
 * should abort the surrounding transaction rather than be mapped to a reply.
 */
export class MatchingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatchingError';
  }
}
