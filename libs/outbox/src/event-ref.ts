/** One generation of one outbox event: what a job carries and what most statements take. */
export interface EventRef {
  /** `outbox_events.id`, as a string (int8). */
  eventId: string;
  generation: number;
}

/** Orders refs by numeric event id (locking rows in one order across statements avoids deadlocks). */
export function sortByEventId<T extends EventRef>(refs: T[]): T[] {
  return [...refs].sort((a, b) => a.eventId.length - b.eventId.length || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

/** The refs as the JSON array the statements unpack with `jsonb_to_recordset(...) as t(id bigint, gen int)`. */
export function refsJson(refs: EventRef[]): string {
  return JSON.stringify(refs.map((r) => ({ id: r.eventId, gen: r.generation })));
}
