import { ApiError } from '@execn/contracts';
import type { z } from 'zod';

/** One bad field of a refused request. */
export interface FieldError {
  field: string;
  message: string;
}

/** Zod issues as `details`: one entry per bad field (its first problem), unknown fields named one by one. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const byField = new Map<string, string>();
  for (const issue of issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) byField.set(at ? `${at}.${key}` : key, 'unknown field');
    } else if (!byField.has(at || 'body')) {
      byField.set(at || 'body', issue.message);
    }
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

/**
 * Parses request input at the edge.
 *
 * @throws ApiError 400 `validation_error` naming each bad field.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw new ApiError(400, 'validation_error', 'Invalid request', fieldErrors(parsed.error.issues));
  }
  return parsed.data;
}
