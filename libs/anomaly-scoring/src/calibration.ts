// Bound once: inside vm sandboxes (jest) every global lookup is slow, a module constant is not.
const { max, pow, sqrt } = Math;

/**
 * The previous, assumed calibration (kept for EwRobustZDetector's own score, which the evaluation compares against):
 * scores in the product come from each stream's own tail, see rarity.ts. Real streams are not Gaussian, and this map
 * put 5% of their points above 0.9.
 *
 * Maps a robust z (distance from the baseline in estimated standard deviations) to a score in [0, 1]:
 *
 *   score = 1 - 10^(-(z / zAt90)^2)
 *
 * so the score is exactly 0.9 at z = zAt90 and 0.99 at z = zAt90·√2. With the default zAt90 = 4, under Gaussian
 * noise P(score > 0.9) = P(|Z| > 4) ≈ 6e-5 for every stream whatever its level and spread, which is what lets one
 * threshold serve every agent. Heavier tails raise that (Laplace noise: ≈ 0.7%); raise zAt90 for such streams.
 */
export const DEFAULT_Z_AT_90 = 4;

/** E|X - μ| = σ·√(2/π) for a Gaussian, so σ ≈ 1.2533 · mean absolute deviation. */
export const MAD_TO_SIGMA = sqrt(Math.PI / 2);

export function scoreFromZ(z: number, zAt90: number = DEFAULT_Z_AT_90): number {
  if (!(z - z === 0)) return z !== z ? 0 : 1; // NaN scores 0, ±Infinity 1
  const r = z / zAt90;
  return 1 - pow(10, -(r * r));
}

/** Anscombe transform: makes Poisson-like counts roughly unit-variance, so a count z-score is meaningful. */
export function anscombe(count: number): number {
  return 2 * sqrt(max(0, count) + 3 / 8);
}

export function inverseAnscombe(y: number): number {
  return max(0, (y / 2) * (y / 2) - 3 / 8);
}
