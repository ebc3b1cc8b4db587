import type { CategoricalProfile } from './column-profile';
import { TopValues } from './top-values';

const TRACKED_VALUES = 1_024;
const TOP = 20;

/** Streaming value counts of a categorical or boolean column in bounded memory. */
export class CategoricalAccumulator {
  private count = 0;
  private nulls = 0;
  private readonly values = new TopValues(TRACKED_VALUES);

  constructor(private readonly type: CategoricalProfile['type']) {}

  add(value: string | boolean | null): void {
    if (value === null) {
      this.nulls += 1;
      return;
    }
    this.count += 1;
    this.values.add(typeof value === 'boolean' ? String(value) : value);
  }

  finish(): CategoricalProfile {
    return {
      kind: 'categorical',
      type: this.type,
      count: this.count,
      nulls: this.nulls,
      distinct: this.values.distinct,
      top: this.values.top(TOP),
      topExact: this.values.isExact,
    };
  }
}
