import { regularizedGammaQ } from './gamma';

/**
 * P(Z > z) for a standard normal Z (scipy.stats.norm.sf). Computed as ½·Q(½, z²/2), which keeps
 * full relative precision far into the tail where 1 − Φ(z) would round to zero.
 */
export function normalSf(z: number): number {
  const tail = 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
  return z >= 0 ? tail : 1 - tail;
}
