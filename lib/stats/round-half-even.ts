/** Rounds to the nearest integer and halves to the even one, as numpy.round and Python's round do. */
export function roundHalfEven(x: number): number {
  const nearest = Math.round(x);
  return Math.abs(x % 1) === 0.5 && nearest % 2 !== 0 ? nearest - 1 : nearest;
}
