import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The parts of an OpenAPI 3.1 document the client reads. */
interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** A file to send as the body, with its content type. */
  file?: { data: Buffer; contentType: string };
  headers?: Record<string, string>;
  /** Sends the session cookie but not its CSRF token. */
  withoutCsrf?: boolean;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * A test client of the public API that checks every answer against the OpenAPI document the
 * gateway serves: the status must be documented for the operation, and the body must match
 * the schema documented for that status and content type. Keeps cookies like a browser and
 * echoes the CSRF token on changes, or sends a bearer token like a script.
 */
export class ApiClient {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; pattern: RegExp }>;
  private readonly cookies = new Map<string, string>();
  /** Every Set-Cookie the client received, raw, for tests of their attributes. */
  readonly setCookies: string[] = [];
  bearer?: string;
  csrfToken?: string;
  /** Sent as X-Forwarded-For (the test gateway trusts loopback proxies). */
  ip?: string;

  constructor(
    private readonly origin: string,
    private readonly document: OpenApiDocument,
  ) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(document, 'openapi');
    this.templates = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
    }));
  }

  static async connect(origin: string): Promise<ApiClient> {
    const res = await fetch(`${origin}/api/v1/openapi.json`);
    if (!res.ok) throw new Error(`no OpenAPI document: ${res.status}`);
    return new ApiClient(origin, (await res.json()) as OpenApiDocument);
  }

  /** Another client (another person) on the same gateway and document. */
  fresh(): ApiClient {
    return new ApiClient(this.origin, this.document);
  }

  get hasSession(): boolean {
    return this.cookies.has('__Host-woop_session');
  }

  async get<T = Record<string, unknown>>(path: string, opts: RequestOptions = {}) {
    return this.request<T>('GET', path, opts);
  }
  async post<T = Record<string, unknown>>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('POST', path, { ...opts, body });
  }
  async put<T = Record<string, unknown>>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  async patch<T = Record<string, unknown>>(path: string, body?: unknown, opts: RequestOptions = {}) {
    return this.request<T>('PATCH', path, { ...opts, body });
  }
  async delete<T = Record<string, unknown>>(path: string, opts: RequestOptions = {}) {
    return this.request<T>('DELETE', path, opts);
  }

  /** The cookies this client holds, as a `Cookie` header (for the portal's pages). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** `path` is under /api/v1, with its query string: `/tickets?status=all`. */
  async request<T = Record<string, unknown>>(method: string, path: string, opts: RequestOptions = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrfToken && !opts.withoutCsrf && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    if (this.ip) headers['x-forwarded-for'] = this.ip;
    let body: string | Buffer | undefined;
    if (opts.file) {
      headers['content-type'] = opts.file.contentType;
      body = opts.file.data;
    } else if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(`${this.origin}/api/v1${path}`, { method, headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      this.setCookies.push(cookie);
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const parsed = contentType.endsWith('json') && text ? (JSON.parse(text) as T) : (undefined as T);
    this.check(method, path, res.status, contentType, parsed, text);
    return { status: res.status, body: parsed, text, headers: res.headers } as ApiResponse<T>;
  }

  /** Fails the test when the answer is not what the document says the operation answers. */
  private check(method: string, path: string, status: number, contentType: string, body: unknown, text: string) {
    const bare = path.split('?')[0]!;
    const found = this.templates.find(
      (t) => t.pattern.test(bare) && this.document.paths[t.template]?.[method.toLowerCase()],
    );
    if (!found) throw new Error(`${method} ${bare}: no such operation in the OpenAPI document (${status} ${text})`);
    const response = this.document.paths[found.template]![method.toLowerCase()]!.responses[String(status)];
    if (!response) throw new Error(`${method} ${found.template}: status ${status} is not documented (${text})`);
    if (!response.content) {
      if (text) throw new Error(`${method} ${found.template} ${status}: documented without a body, got ${text}`);
      return;
    }
    if (!(contentType in response.content)) {
      throw new Error(`${method} ${found.template} ${status}: content type ${contentType} is not documented`);
    }
    if (!contentType.endsWith('json')) return;
    const ref = `openapi#/${pointer('paths', found.template, method.toLowerCase(), 'responses', String(status), 'content', contentType, 'schema')}`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.getSchema(ref);
      if (!validate) throw new Error(`cannot compile ${ref}`);
      this.validators.set(ref, validate);
    }
    if (!validate(body)) {
      throw new Error(
        `${method} ${found.template} ${status}: the answer does not match the document: ` +
          `${this.ajv.errorsText(validate.errors)}\n${text.slice(0, 2_000)}`,
      );
    }
  }
}
