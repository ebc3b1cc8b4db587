/**
 * The exact Kolmogorov algorithms multiply long runs of factors whose product leaves the double
 * range before it comes back into it. They rescale by 2^±128 as they go and keep the exponent aside.
 */
export const SCALE_EXPONENT = 128;
export const SCALE_UP = 2 ** SCALE_EXPONENT;
export const SCALE_DOWN = 2 ** -SCALE_EXPONENT;

/** x · 2^exponent without overflowing or underflowing the power of two on the way. */
export function ldexp(x: number, exponent: number): number {
  let result = x;
  let remaining = exponent;
  while (remaining > 1000) {
    result *= 2 ** 1000;
    remaining -= 1000;
  }
  while (remaining < -1000) {
    result *= 2 ** -1000;
    remaining += 1000;
  }
  return result * 2 ** remaining;
}
