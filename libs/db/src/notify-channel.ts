/**
 * The LISTEN/NOTIFY channel on which order transactions wake the outbox relay.
 * A notification is only a hint: the relay also polls.
 */
export const OUTBOX_NOTIFY_CHANNEL = 'outbox_events';
