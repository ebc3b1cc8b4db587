import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import pino from 'pino';

/**
 * Structured JSON logs (one object per line). Every line passes through `scrub`, so a secret
 * (database password, webhook URL, API key) never reaches the log, whichever code logged it.
 */
export function createLogger(secrets: string[], destination: pino.DestinationStream = pino.destination(1)): pino.Logger {
  const scrub = secretScrubber(secrets);
  return pino({ base: { service: 'driftline-worker' }, timestamp: pino.stdTimeFunctions.isoTime, hooks: { streamWrite: scrub } }, destination);
}

/** Replaces every occurrence of each secret (and its JSON-escaped form) with ***. */
export function secretScrubber(secrets: string[]): (line: string) => string {
  const needles = [...new Set(secrets.filter((s) => s.length >= 4).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort((a, b) => b.length - a.length);
  return (line) => needles.reduce((text, needle) => text.split(needle).join('***'), line);
}

/**
 * Temporal's logger interface over pino: the SDK's own lines and every workflow and activity log
 * arrive here with their metadata (workflowId, runId, activityType, taskQueue…) as JSON fields.
 */
export class PinoTemporalLogger implements Logger {
  constructor(private readonly pinoLogger: pino.Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
    this.pinoLogger[method](meta ?? {}, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
