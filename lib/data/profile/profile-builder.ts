import type { Value } from '../cell-types';
import type { ColumnSpecs } from '../column-spec';
import { CategoricalAccumulator } from './categorical-accumulator';
import type { ColumnProfile, SnapshotProfile } from './column-profile';
import { NumericAccumulator } from './numeric-accumulator';

/** One column's streaming statistics; a numeric column only ever receives numbers and nulls. */
interface ColumnAccumulator {
  add(value: Value): void;
  finish(): ColumnProfile;
}

/** Profiles every declared column of the accepted rows, one row at a time. */
export class ProfileBuilder {
  private readonly names: string[];
  private readonly accumulators: ColumnAccumulator[];

  constructor(columns: ColumnSpecs) {
    this.names = Object.keys(columns);
    this.accumulators = Object.values(columns).map(({ type }): ColumnAccumulator =>
      type === 'categorical' || type === 'boolean' ? new CategoricalAccumulator(type) : new NumericAccumulator(type),
    );
  }

  /** `values` holds the row's parsed values in column order. */
  add(values: readonly Value[]): void {
    for (let i = 0; i < this.accumulators.length; i += 1) {
      (this.accumulators[i] as ColumnAccumulator).add(values[i] as Value);
    }
  }

  finish(): SnapshotProfile {
    return Object.fromEntries(this.names.map((name, i) => [name, (this.accumulators[i] as ColumnAccumulator).finish()]));
  }
}
