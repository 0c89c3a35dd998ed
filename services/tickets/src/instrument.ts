// First import of main: tracing must patch http, express, kafkajs, mongoose and pino before they load.
import { startTracingFromEnv } from '@woop/service-kit/tracing';

export const tracing = startTracingFromEnv('tickets');
