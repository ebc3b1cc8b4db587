import os from 'node:os';

/** The machine's 1-minute load average now: what else competed for its cores while a benchmark ran. */
export function loadAverage(): number {
  return os.loadavg()[0] as number;
}

/** A sentence for a benchmark's report: the load around it, which its numbers depend on. */
export function describeMachineLoad(atStart: number, atEnd: number): string {
  return `Other work shared the machine's ${os.availableParallelism()} cores while this ran (other engineers' tests and benchmarks): 1-minute load average ${atStart.toFixed(1)} at the start, ${atEnd.toFixed(1)} at the end.`;
}
