import { normalizeQuantity } from '@logbook/machinery';

/**
 * resource.Quantity in canonical form (Quantity.String()), as printed in the
 * CAPACITY columns: `1024Mi` prints as `1Gi`, `0.5Gi` as `512Mi`. Numbers are
 * read as quantities; anything unparseable is shown as given.
 */
export function canonicalQuantity(input: unknown): string {
  if (typeof input === 'number') input = String(input);
  if (typeof input !== 'string') return '';
  try {
    return normalizeQuantity(input.trim());
  } catch {
    return input;
  }
}
