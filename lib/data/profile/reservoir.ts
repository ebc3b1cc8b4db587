import { mulberry32 } from '../../stats/mulberry32';

/**
 * A uniform random sample of fixed size from a stream of numbers (Vitter's Algorithm L: after the
 * sample fills, it draws how many values to skip instead of a random number per value). Seeded,
 * so the same data always gives the same sample and so the same profile.
 */
export class Reservoir {
  readonly values: Float64Array;
  private seen = 0;
  private nextReplacement: number;
  private w: number;
  private readonly random: () => number;

  constructor(
    readonly capacity: number,
    seed = 0x9e3779b9,
  ) {
    this.values = new Float64Array(capacity);
    this.random = mulberry32(seed);
    this.w = Math.exp(Math.log(this.random()) / capacity);
    this.nextReplacement = capacity + this.skip();
  }

  add(value: number): void {
    if (this.seen < this.capacity) {
      this.values[this.seen] = value;
    } else if (this.seen === this.nextReplacement) {
      this.values[Math.floor(this.random() * this.capacity)] = value;
      this.w *= Math.exp(Math.log(this.random()) / this.capacity);
      this.nextReplacement += this.skip() + 1;
    }
    this.seen += 1;
  }

  /** The sample, sorted ascending: every value seen when no more than `capacity` were. */
  sorted(): Float64Array {
    return this.values.slice(0, Math.min(this.seen, this.capacity)).sort();
  }

  /** True when the sample holds only some of the values seen. */
  get sampled(): boolean {
    return this.seen > this.capacity;
  }

  private skip(): number {
    return Math.floor(Math.log(this.random()) / Math.log(1 - this.w));
  }
}
