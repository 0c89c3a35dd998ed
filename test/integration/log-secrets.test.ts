import { Writable } from 'node:stream';
import { TOPICS, type EventEnvelope } from '@woop/contracts';
import { createKafka, createLogger } from '@woop/service-kit';
import { ApiClient } from '../support/api-client';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { linkOf as sealedLinkOf } from '../support/links';
import { uniqueId } from '../support/ids';
import { readEvents } from '../support/kafka-events';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = createKafka('log-secrets-test', brokers, createLogger('test', 'silent'));

/** Every line a service logs, as written (the pino destination). */
function capture(service: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger(service, 'trace', sink) };
}

/**
 * Issue #15: no password, link token or session id in any log line, at the most verbose level,
 * during a sign-up, a login and a password reset through the gateway and the identity service.
 */
describe('logs: secrets never written', () => {
  const identityLogs = capture('identity');
  const gatewayLogs = capture('gateway');
  let identity: RunningIdentity;
  let gateway: RunningGateway;
  let anonymous: ApiClient;

  beforeAll(async () => {
    identity = await startIdentity({}, undefined, identityLogs.logger);
    gateway = await startGateway({ IDENTITY_URL: originOf(identity.base) }, { logger: gatewayLogs.logger });
    anonymous = await ApiClient.connect(gateway.origin);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await identity?.stop();
  });

  const linkOf = async (type: string, email: string): Promise<URL> => {
    const [event] = await readEvents(
      kafka,
      TOPICS.users.name,
      (e: EventEnvelope) => e.type === type && e.data.email === email,
      (es) => es.length > 0,
    );
    return sealedLinkOf(event!);
  };
  const sessionCookie = (client: ApiClient) =>
    client.setCookies
      .filter((c) => c.startsWith('__Host-woop_session='))
      .map((c) => c.slice('__Host-woop_session='.length).split(';')[0]!)
      .filter(Boolean);

  it('signs up, logs in and resets a password without logging the password, the link tokens or the session', async () => {
    const email = `${uniqueId('logs')}@enseigne.example`;
    const password = `first-${uniqueId('pw')}-horse`;
    const newPassword = `second-${uniqueId('pw')}-staple`;
    const secrets: string[] = [password, newPassword];

    // Sign-up: the emailed link opened as a page (a GET with ?token=), then completed.
    const signup = anonymous.fresh();
    expect((await signup.post('/auth/signup', { email })).status).toBe(202);
    const signupLink = await linkOf('user.signup_requested', email);
    const signupToken = signupLink.searchParams.get('token')!;
    secrets.push(signupToken);
    expect((await fetch(`${gateway.origin}${signupLink.pathname}${signupLink.search}`)).status).toBe(200);
    const done = await signup.post('/auth/signup/complete', { token: signupToken, fullName: 'Lou Journal', password });
    expect(done.status).toBe(201);

    // Login: a new session, used for an authenticated call.
    const browser = anonymous.fresh();
    const login = await browser.post<{ csrfToken: string }>('/auth/login', { email, password });
    expect(login.status).toBe(200);
    expect((await browser.get('/auth/csrf-token')).status).toBe(200);

    // Password reset: the link opened, then used with the new password.
    expect((await anonymous.fresh().post('/auth/password-reset', { email })).status).toBe(202);
    const resetLink = await linkOf('user.password_reset_requested', email);
    const resetToken = resetLink.searchParams.get('token')!;
    secrets.push(resetToken);
    expect((await fetch(`${gateway.origin}${resetLink.pathname}${resetLink.search}`)).status).toBe(200);
    const reset = await anonymous
      .fresh()
      .post('/auth/password-reset/complete', { token: resetToken, password: newPassword });
    expect(reset.status).toBeLessThan(300);
    expect((await anonymous.fresh().post('/auth/login', { email, password: newPassword })).status).toBe(200);

    // The session tokens (cookies) and the session ids identity keeps (their hashes).
    const user = await identity.svc.models.User.findOne({ email }).lean();
    const sessions = await identity.svc.models.Session.find({}).lean();
    secrets.push(...sessionCookie(signup), ...sessionCookie(browser), ...sessions.map((s) => String(s._id)));
    expect(sessionCookie(browser)).toHaveLength(1);
    expect(sessions.filter((s) => s.userId === user!._id).length).toBeGreaterThan(0);

    // The capture works: both services logged these requests, with their ids.
    const all = [...identityLogs.lines, ...gatewayLogs.lines];
    expect(gatewayLogs.lines.some((l) => l.includes('/api/v1/auth/login') && l.includes('"reqId"'))).toBe(true);
    expect(identityLogs.lines.some((l) => l.includes('/v1/password-reset/complete'))).toBe(true);

    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      const leaks = all.filter((line) => line.includes(secret));
      expect(leaks).toEqual([]);
    }
    // The page's address is logged, its token not.
    expect(gatewayLogs.lines.some((l) => l.includes(`${resetLink.pathname}?token=[redacted]`))).toBe(true);
  });
});
