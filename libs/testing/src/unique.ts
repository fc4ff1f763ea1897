import { randomBytes } from 'node:crypto';

/**
 * A BullMQ key prefix (and Socket.IO adapter channel namespace) of its own for
 * one test: Redis pub/sub ignores db numbers, so isolation needs distinct names.
 */
export function uniquePrefix(label = 't'): string {
  return `execn-${label}-${randomBytes(4).toString('hex')}`;
}

/** A short unique id for accounts, client order ids and the like. */
export function uniqueId(label = 'id'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}
