/**
 * What kind of refusal a `DomainError` is. The api's error handler gives each
 * kind its one HTTP status; a new kind does not compile until it is mapped there.
 * `overloaded`: refused for lack of capacity, nothing done; the client may retry later.
 */
export type DomainErrorKind = 'invalid' | 'not_permitted' | 'not_found' | 'conflict' | 'gone' | 'overloaded';

/**
 * A refusal decided by the domain: an unknown account, a clientOrderId already
 * used, an order that can no longer be cancelled. Libraries throw it and know
 * nothing of HTTP; `code` is the stable error code clients see (`details`, when
 * set, goes with it).
 */
export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
