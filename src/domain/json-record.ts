/** A plain JSON object (not null, not an array): the only shape a message or payload may have. */
export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
