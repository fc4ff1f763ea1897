/** The host part of Message-IDs: the domain of `MAIL_FROM`, or `exec-notify`. */
export function messageIdHost(mailFrom: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom);
  return match?.[1] ?? 'exec-notify';
}

/** `<{eventId}.{generation}@host>`: stable across retries, so a resent mail is recognisable. */
export function reportMessageId(eventId: string, generation: number, mailFrom: string): string {
  return `<${eventId}.${generation}@${messageIdHost(mailFrom)}>`;
}

/** `<order-{orderId}.{n}@host>`: the `n`-th summary of an order, stable across retries (CONTRACT section 7). */
export function orderSummaryMessageId(orderId: string, n: number, mailFrom: string): string {
  return `<order-${orderId}.${n}@${messageIdHost(mailFrom)}>`;
}
