import { isJsonObject, jsonClone, jsonEqual, JsonObject, JsonValue } from '../json';

/**
 * Applies an RFC 7386 JSON Merge Patch and returns the new document; the
 * input is not modified. Objects merge key by key, `null` deletes a key,
 * anything else (arrays included) replaces the target value.
 *
 * This is what `kubectl label`, `annotate` and `scale` send
 * (`application/merge-patch+json`), and what strategic merge patch falls
 * back to where no schema is known.
 */
export function applyMergePatch<T = JsonValue>(target: T, patch: unknown): T {
  return merge(jsonClone(target) as unknown as JsonValue | undefined, patch as JsonValue) as unknown as T;
}

function merge(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return jsonClone(patch);
  // `target` is already a private copy: it is safe to change in place.
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

/**
 * The merge patch that turns `original` into `modified` (RFC 7386 section
 * 5): changed keys, `null` for removed ones; arrays are replaced whole.
 */
export function createMergePatch(original: unknown, modified: unknown): JsonValue {
  if (!isJsonObject(original) || !isJsonObject(modified)) return jsonClone(modified as JsonValue);
  const patch: JsonObject = {};
  for (const key of Object.keys(original)) {
    if (!Object.prototype.hasOwnProperty.call(modified, key)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(modified)) {
    const before = original[key];
    if (isJsonObject(before) && isJsonObject(value)) {
      const sub = createMergePatch(before, value) as JsonObject;
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (!Object.prototype.hasOwnProperty.call(original, key) || !jsonEqual(before, value)) {
      patch[key] = jsonClone(value);
    }
  }
  return patch;
}
