/**
 * Counts the character steps the parser takes, so tests can prove linear time deterministically
 * (steps ≤ c·n) instead of timing it. One increment per loop iteration and per character copied;
 * cheap enough to stay on in production, and internal: not exported from index.ts.
 */
export const stepMeter = { steps: 0 };
