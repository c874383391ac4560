import convict from 'convict';

/**
 * The formats more than one group uses. A group's own formats are registered in its file,
 * beside the settings that name them; convict's registry is global, so each is registered once.
 */

/** Comma-separated lists arrive from the environment as strings and from JSON as arrays. */
export function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item.length > 0);
}

convict.addFormat({
  name: 'string-list',
  validate(value: unknown) {
    if (!Array.isArray(value) && typeof value !== 'string') throw new Error('must be a comma-separated list');
  },
  coerce: (value: unknown) => listOf(value),
});

/**
 * A numeric format with a sane range, registered with convict on first use and named after
 * it (`int 1..100000`), so every numeric setting states its bounds where it is declared and a
 * value outside them stops start-up with a message naming both ends.
 */
export function range(kind: 'int' | 'number', min: number, max: number): string {
  const name = `${kind} ${min}..${max}`;
  if (!registeredRanges.has(name)) {
    registeredRanges.add(name);
    const what = kind === 'int' ? 'a whole number' : 'a number';
    convict.addFormat({
      name,
      validate(value: unknown) {
        const ok = typeof value === 'number' && (kind === 'int' ? Number.isSafeInteger(value) : Number.isFinite(value)) && value >= min && value <= max;
        if (!ok) throw new Error(`must be ${what} from ${min} to ${max}`);
      },
      coerce: (value: unknown) => Number(value),
    });
  }
  return name;
}
const registeredRanges = new Set<string>();
