import { DomainError } from './domain-error';

/**
 * Reports after the asked `sinceSeq` were deleted by retention
 * (`REPORT_RETENTION_DAYS`): the replay cannot be complete, so none is made.
 * REST answers 410 `resume_horizon` with `details: {oldestSeq}`; a socket's
 * `resume` acks `{ok: false, error: "resume_horizon", oldestSeq}`. Every report
 * from `oldestSeq` on is kept: a client re-reads its orders, then resumes from
 * `oldestSeq - 1`.
 */
export class ReplayHorizonError extends DomainError {
  constructor(readonly oldestSeq: number) {
    super('gone', 'resume_horizon', `Reports after sinceSeq were deleted by retention; the oldest kept is seq ${oldestSeq}`, {
      oldestSeq,
    });
    this.name = 'ReplayHorizonError';
  }
}
