/**
 * A client of the public API as a script uses it: logs in once, keeps the session cookie and
 * sends its CSRF token on changes. Every answer outside 2xx throws a `CallError` whose `kind`
 * is the status (or `timeout`, `network`), which the load runner counts by kind.
 */
export class CallError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

export class Session {
  constructor(
    readonly origin: string,
    private readonly cookie: string,
    private readonly csrf: string,
  ) {}

  static async login(origin: string, email: string, password: string): Promise<Session> {
    const res = await fetch(`${origin}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status !== 200) {
      const text = await res.text();
      throw new CallError(
        String(res.status),
        `login of ${email} on ${origin} answered ${res.status}: ${text.slice(0, 300)}`,
      );
    }
    const body = (await res.json()) as { csrfToken: string };
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    return new Session(origin, cookie, body.csrfToken);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.origin}/api/v1${path}`, {
        method,
        headers: {
          cookie: this.cookie,
          ...(method === 'GET' ? {} : { 'x-csrf-token': this.csrf }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new CallError(timeout ? 'timeout' : 'network', `${method} ${path}: ${String(err)}`);
    }
    const text = await res.text();
    if (res.status >= 300) {
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { code?: string }).code;
      } catch {
        code = undefined;
      }
      throw new CallError(
        String(res.status),
        `${method} ${path} answered ${res.status} ${code ?? text.slice(0, 200)}`,
        res.status,
        code,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = unknown>(path: string) {
    return this.call<T>('GET', path);
  }
  post<T = unknown>(path: string, body?: unknown) {
    return this.call<T>('POST', path, body);
  }
  put<T = unknown>(path: string, body?: unknown) {
    return this.call<T>('PUT', path, body);
  }
}

/** Polls `url` until it answers 200, or gives up after `timeoutMs`. */
export async function waitReady(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${url}: the process exited`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      if (res.status === 200) return;
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${last})`);
}
