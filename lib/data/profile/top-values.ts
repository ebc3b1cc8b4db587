/**
 * The most frequent values of a stream in bounded memory (Misra–Gries). While no more than
 * `capacity` distinct values have been seen the counts are exact; after that a value's count
 * may be short by at most n / (capacity + 1), and every value more frequent than that is kept.
 */
export class TopValues {
  private readonly counts = new Map<string, number>();
  private exact = true;

  constructor(private readonly capacity: number) {}

  add(value: string): void {
    const count = this.counts.get(value);
    if (count !== undefined) {
      this.counts.set(value, count + 1);
    } else if (this.counts.size < this.capacity) {
      this.counts.set(value, 1);
    } else {
      this.exact = false;
      this.decrementAll();
    }
  }

  /** The `limit` most frequent values, ties broken by value so the result is deterministic. */
  top(limit: number): { value: string; count: number }[] {
    return [...this.counts]
      .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([value, count]) => ({ value, count }));
  }

  /** The exact number of distinct values, or null once there were too many to count exactly. */
  get distinct(): number | null {
    return this.exact ? this.counts.size : null;
  }

  get isExact(): boolean {
    return this.exact;
  }

  private decrementAll(): void {
    for (const [value, count] of this.counts) {
      if (count === 1) this.counts.delete(value);
      else this.counts.set(value, count - 1);
    }
  }
}
