import { ApplicationFailure } from '@temporalio/activity';
import { DriftlineError } from '../lib/errors';

/**
 * Wraps an activity so a DriftlineError (bad input, bad data) reaches the workflow as a
 * non-retryable ApplicationFailure of the same type; anything else stays retryable.
 */
export function surfaceFailures<A extends unknown[], R>(activity: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await activity(...args);
    } catch (error) {
      if (error instanceof DriftlineError) {
        throw ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: true });
      }
      throw error;
    }
  };
}
