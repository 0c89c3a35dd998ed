import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  baseConfigSchema,
  ConfigError,
  DEVELOPMENT_SECRET,
  loadConfig,
  mailReplyConfig,
  PRODUCTION_SECRETS,
} from './config';
import { DEVELOPMENT_SEALING_KEY, previousSealingKeysSchema, sealingKeySchema } from './sealing';

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
    const secret = randomBytes(32).toString('hex');
    expect(loadConfig(baseConfigSchema, { NODE_ENV: 'production', INTERNAL_AUTH_SECRET: secret }).NODE_ENV).toBe(
      'production',
    );
  });
});

describe('production secrets', () => {
  const schema = baseConfigSchema.extend({
    LINK_SEALING_KEY: sealingKeySchema.prefault(DEVELOPMENT_SEALING_KEY),
    LINK_SEALING_PREVIOUS_KEYS: previousSealingKeysSchema,
  });
  const good = (): Record<string, string> => ({
    NODE_ENV: 'production',
    INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex'),
    LINK_SEALING_KEY: randomBytes(32).toString('base64'),
  });
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(schema, env);
      return [];
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).issues;
    }
  };

  it('starts with secrets of its own, and in development with none', () => {
    expect(problemsOf(good())).toEqual([]);
    expect(problemsOf({ ...good(), LINK_SEALING_PREVIOUS_KEYS: randomBytes(32).toString('hex') })).toEqual([]);
    expect(problemsOf({})).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'development', INTERNAL_AUTH_SECRET: DEVELOPMENT_SECRET })).toEqual([]);
  });

  it.each(['INTERNAL_AUTH_SECRET', 'LINK_SEALING_KEY'])('refuses %s missing or empty, by name', (name) => {
    const missing = good();
    delete missing[name];
    expect(problemsOf(missing)).toEqual([expect.stringMatching(new RegExp(`^${name}: must be set in production`))]);
    expect(problemsOf({ ...good(), [name]: '  ' })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  // Every value this repository ever published, in any of the forms a key is read in.
  const published: [string, string][] = [
    ['INTERNAL_AUTH_SECRET', DEVELOPMENT_SECRET],
    ['INTERNAL_AUTH_SECRET', 'compose-stack-secret-replace-me-0123456789'],
    ['LINK_SEALING_KEY', DEVELOPMENT_SEALING_KEY],
    ['LINK_SEALING_KEY', Buffer.from(DEVELOPMENT_SEALING_KEY, 'base64').toString('hex')],
    ['LINK_SEALING_KEY', 'Y29tcG9zZS1zdGFjay1rZXktcmVwbGFjZS1tZS0wMTI='],
    ['LINK_SEALING_PREVIOUS_KEYS', `${randomBytes(32).toString('hex')},${DEVELOPMENT_SEALING_KEY}`],
  ];
  it.each(published)('refuses %s set to a published value, naming it and never echoing it', (name, value) => {
    const problems = problemsOf({ ...good(), [name]: value });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${name}: is a value published with this project`))]);
    expect(problems.join('\n')).not.toContain(value.slice(0, 12));
  });

  it.each([
    ['INTERNAL_AUTH_SECRET', 'x'.repeat(32)],
    ['INTERNAL_AUTH_SECRET', 'please-replace-me-with-a-long-random-value'],
    ['INTERNAL_AUTH_SECRET', 'an-example-secret-for-the-documentation'],
    ['LINK_SEALING_KEY', Buffer.alloc(32, 7).toString('base64')],
    ['LINK_SEALING_KEY', Buffer.from('my-key-replace-me-0123456789abcd').toString('base64')],
  ])('refuses %s set to a placeholder or a value that is not random', (name, value) => {
    expect(problemsOf({ ...good(), [name]: value })).toEqual([
      expect.stringMatching(new RegExp(`^${name}: (looks like a placeholder|is not random enough)`)),
    ]);
  });

  it('reports every secret at once, with how to make one', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([
      expect.stringMatching(/^INTERNAL_AUTH_SECRET: .*openssl rand -hex 32/),
      expect.stringMatching(/^LINK_SEALING_KEY: .*openssl rand -base64 32/),
    ]);
  });

  it('refuses every secret value written in the repository (compose, docs, scripts)', () => {
    const root = join(__dirname, '..', '..', '..');
    const files = execFileSync('git', ['ls-files', '*.md', '*.yml', '*.yaml', '*.sh', '*.env*', 'Dockerfile'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    const found: [string, string][] = [];
    const scan = (text: string) => {
      for (const name of Object.keys(PRODUCTION_SECRETS)) {
        // NAME=value, NAME: value, "NAME": "value", ${NAME:-value}; not ${NAME:?…} nor $(command).
        const pattern = new RegExp(`${name}['"]?\\s*(?::-|[=:])\\s*['"]?([A-Za-z0-9+/=_.-]{16,})`, 'g');
        for (const m of text.matchAll(pattern)) found.push([name, m[1]!]);
      }
    };
    // The scan finds the forms a value was published in (compose's old defaults among them).
    scan('INTERNAL_AUTH_SECRET: ${INTERNAL_AUTH_SECRET:-compose-stack-secret-replace-me-0123456789}');
    scan('export LINK_SEALING_KEY="Y29tcG9zZS1zdGFjay1rZXktcmVwbGFjZS1tZS0wMTI="');
    scan('INTERNAL_AUTH_SECRET=$(openssl rand -hex 32) LINK_SEALING_KEY: ${LINK_SEALING_KEY:?set it}');
    expect(found).toEqual([
      ['INTERNAL_AUTH_SECRET', 'compose-stack-secret-replace-me-0123456789'],
      ['LINK_SEALING_KEY', 'Y29tcG9zZS1zdGFjay1rZXktcmVwbGFjZS1tZS0wMTI='],
    ]);
    for (const file of files) scan(readFileSync(join(root, file), 'utf8'));
    // Every secret of every service (the inbound reader's mailbox password, the reply-token key).
    const everySecret = schema.extend({ ...mailReplyConfig, IMAP_PASSWORD: z.string().min(1) });
    const everyGood = () => ({
      ...good(),
      MAIL_REPLY_KEY: randomBytes(32).toString('base64'),
      IMAP_PASSWORD: randomBytes(18).toString('base64'),
    });
    for (const [name, value] of found) {
      let issues: string[] = [];
      try {
        loadConfig(everySecret, { ...everyGood(), [name]: value });
      } catch (e) {
        issues = (e as ConfigError).issues;
      }
      expect([name, issues]).toEqual([name, [expect.stringMatching(`^${name}: `)]]);
    }
  });
});
