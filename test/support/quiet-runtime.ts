import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes and activity logs at INFO drown the test report; warnings still show.
Runtime.install({ logger: new DefaultLogger('WARN') });
