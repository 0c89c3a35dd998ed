import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the local defaults when nothing is set', () => {
    const config = loadConfig(baseConfigSchema, {});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      MONGODB_URI: 'mongodb://127.0.0.1:27017',
      SMTP_URL: 'smtp://127.0.0.1:1025',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://127.0.0.1:9411/api/v2/spans',
    });
    // Unset: tracing.ts picks zipkin in development and none elsewhere.
    expect(config.OTEL_TRACES_EXPORTER).toBeUndefined();
  });

  it('reads every address from the environment', () => {
    const config = loadConfig(baseConfigSchema, {
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092,,kafka-3:9092',
      TEMPORAL_ADDRESS: 'temporal:7233',
    });
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9092', 'kafka-3:9092']);
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('reports every bad variable at once, by name, without echoing values', () => {
    const schema = baseConfigSchema.extend({ PORT: z.coerce.number().int() });
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'hunter2-secret', LOG_LEVEL: 'loud', OTEL_TRACES_EXPORTER: 'jaeger' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    expect(issues.map((i) => i.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'OTEL_TRACES_EXPORTER', 'PORT']);
    expect(message).not.toContain('hunter2');
  });

  it('refuses to run in production with the development secret', () => {
    expect(() => loadConfig(baseConfigSchema, { NODE_ENV: 'production' })).toThrow(/INTERNAL_AUTH_SECRET/);
    expect(
      loadConfig(baseConfigSchema, { NODE_ENV: 'production', INTERNAL_AUTH_SECRET: 'x'.repeat(32) }).NODE_ENV,
    ).toBe('production');
  });
});
