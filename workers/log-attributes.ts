import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * Activity log lines carry the pipeline they work for (read from the activity's input), and not
 * the task token: a token lets whoever holds it complete the activity, so it stays out of logs.
 */
export const pipelineLogAttributes: ActivityInterceptorsFactory = () => {
  let pipeline: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        pipeline = pipelineOf(input.args[0]);
        return next(input);
      },
    },
    outbound: {
      getLogAttributes(attributes, next) {
        const logged: Record<string, unknown> = { ...next(attributes), ...(pipeline === undefined ? {} : { pipeline }) };
        delete logged.taskToken;
        return logged;
      },
    },
  };
};

function pipelineOf(arg: unknown): string | undefined {
  if (arg === null || typeof arg !== 'object') return undefined;
  const { pipeline, spec } = arg as { pipeline?: unknown; spec?: { name?: unknown } };
  if (typeof pipeline === 'string') return pipeline;
  return typeof spec?.name === 'string' ? spec.name : undefined;
}
