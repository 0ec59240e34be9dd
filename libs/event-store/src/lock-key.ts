import { createHash } from 'crypto';
import { ObjectKey } from './types';

/**
 * A signed 64-bit advisory-lock key for an object, the same in every
 * process. Appends lock their objects' keys (in ascending order, so two
 * batches never deadlock) before reading the current state; this covers
 * names that do not exist yet, which row locks cannot.
 */
export function lockKeyOf(key: ObjectKey): bigint {
  const digest = createHash('sha1')
    .update(`${key.group}\u0000${key.resource}\u0000${key.namespace}\u0000${key.name}`)
    .digest();
  return digest.readBigInt64BE(0);
}
