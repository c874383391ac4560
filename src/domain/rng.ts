/**
 * Keyed pseudo-random numbers: the same key always yields the same sequence, with no state
 * kept between calls. The generator derives each tick's randomness from (seed, topic, time),
 * which makes the mock series reproducible and the generator a pure function.
 */
export type RandomSource = () => number;

/** FNV-1a over the key's parts: a fast, well-spread 32-bit hash for seeding. */
export function hashKey(...parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    // Each part is followed by a NUL, so ("ab", "c") and ("a", "bc") hash apart.
    const text = typeof part === 'string' ? part : String(part);
    for (let index = 0; index < text.length; index += 1) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    hash = Math.imul(hash, 0x01000193); // hash ^= 0 (the NUL) is a no-op
  }
  return hash >>> 0;
}

/** mulberry32: small, fast and good enough for a mock market. Values in [0, 1). */
export function keyedRandom(...key: readonly (string | number)[]): RandomSource {
  let state = hashKey(...key);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A standard normal draw (Box-Muller). */
export function gaussian(random: RandomSource): number {
  const u = 1 - random(); // (0, 1], so the log is finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
