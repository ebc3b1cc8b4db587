import { Runtime } from '@temporalio/worker';
import type pino from 'pino';
import { secretsOf, type DriftlineConfig } from '../lib/config';
import { createLogger, PinoTemporalLogger } from './logger';

/**
 * Installs the process-wide Temporal runtime with JSON logs (secrets scrubbed) and, unless turned
 * off, a Prometheus endpoint serving Temporal's worker metrics and Driftline's own.
 */
export function installTelemetry(config: DriftlineConfig, destination?: pino.DestinationStream): pino.Logger {
  const logger = createLogger(secretsOf(config), destination);
  logger.level = config.DRIFTLINE_LOG_LEVEL;
  const metricsAddress = config.DRIFTLINE_METRICS_ADDRESS;
  Runtime.install({
    logger: new PinoTemporalLogger(logger),
    telemetryOptions: metricsAddress === 'off' ? {} : { metrics: { prometheus: { bindAddress: metricsAddress } } },
  });
  return logger;
}
