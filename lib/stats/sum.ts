export function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
