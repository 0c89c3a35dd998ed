// First import of main: tracing must patch kafkajs and pino before they load.
import { startTracingFromEnv } from '@woop/service-kit/tracing';

export const tracing = startTracingFromEnv('inbound');
