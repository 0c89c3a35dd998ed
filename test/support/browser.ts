import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { source as axeSource, type AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Response } from 'playwright-core';
import { ROOT } from './processes';

/**
 * The end-to-end tests' browser: Debian's Chromium driven by playwright-core (no browser
 * download; `npm test` installs the package when missing), one browser per run and one context
 * (cookies, language) per person. Every page loaded through `goto` or `clickAndLoad` is audited
 * with axe-core (serious and critical violations, like script errors and CSP violations, are
 * collected as findings of the run); `check` saves a screenshot of the pages worth keeping.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.env.WOOP_DATA_DIR ?? join(ROOT, '.data'), 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: \`npm test\` installs Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH`,
    );
  }
  // launch() gives the browser a fresh temporary profile of its own, deleted when it closes.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Something wrong on a page that the run reports at its end rather than stopping at. */
export interface Finding {
  /** Whose tab, and the page's HTTP status. */
  who: string;
  url: string;
  problem: string;
}

/** What the whole run saw: the pages checked and what was wrong on them. */
export class PortalRun {
  readonly findings: Finding[] = [];
  readonly screenshots = new Set<string>();
  /** Pages audited with axe-core, and the time it took. */
  audits = 0;
  auditMs = 0;

  /** `fresh`: the screenshots of earlier runs are removed first (a suite that adds to them passes false). */
  constructor(
    readonly browser: Browser,
    readonly origin: string,
    fresh = true,
  ) {
    if (fresh) rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  }

  /** A person with their own cookies; `role` names their screenshots (customer, agent…). */
  async person(role: string, opts: { locale?: string } = {}): Promise<Visitor> {
    const context = await this.browser.newContext({
      baseURL: this.origin,
      locale: opts.locale ?? 'fr-FR',
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(30_000);
    return new Visitor(this, role, context, await context.newPage());
  }
}

interface AxeWindow {
  axe?: { run(context: unknown, options: unknown): Promise<AxeResults> };
}

/** One person's tab: navigation that reports the page's HTTP status, and the per-page checks. */
export class Visitor {
  /** HTTP status of the document shown now (after redirects). */
  status = 0;

  constructor(
    readonly run: PortalRun,
    readonly role: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('pageerror', (err) => this.note(`script error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content[- ]Security[- ]Policy/i.test(msg.text())) {
        this.note(`CSP violation: ${msg.text()}`);
      }
    });
  }

  private note(problem: string): void {
    this.run.findings.push({ who: `${this.role} (${this.status})`, url: this.page.url(), problem });
  }

  /** Opens a path of the portal (or any URL); resolves with the final status. Every page is audited. */
  async goto(path: string): Promise<number> {
    const response = await this.page.goto(path, { waitUntil: 'load' });
    this.status = response?.status() ?? 0;
    await this.audit();
    return this.status;
  }

  /** Clicks something that loads a new document (a link, a form's button); resolves with its status. */
  async clickAndLoad(target: Locator): Promise<number> {
    const page = this.page;
    const response = page.waitForResponse(
      (r: Response) =>
        r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
    );
    const loaded = page.waitForEvent('load');
    await target.click();
    this.status = (await response).status();
    await loaded;
    await this.audit();
    return this.status;
  }

  /** The button of this accessible name (a regular expression matches FR or EN). */
  button(name: string | RegExp): Locator {
    return this.page.getByRole('button', { name, exact: typeof name === 'string' });
  }

  link(name: string | RegExp): Locator {
    return this.page.getByRole('link', { name, exact: typeof name === 'string' });
  }

  async heading(): Promise<string> {
    return ((await this.page.locator('main h1').first().textContent()) ?? '').trim();
  }

  /** The flash notices ("Votre demande SUPPORT-12 a été créée.") shown on this page. */
  async notices(): Promise<string[]> {
    return (await this.page.locator('main .notice').allTextContents()).map((t) => t.trim());
  }

  /** The status badge of the request page, as the guide prints it ("EN ATTENTE CLIENT"). */
  async statusBadge(): Promise<string> {
    return ((await this.page.locator('aside dd .status').first().textContent()) ?? '').trim();
  }

  /** The language the page is in (`<html lang>`). */
  async lang(): Promise<string> {
    return (await this.page.locator('html').getAttribute('lang')) ?? '?';
  }

  /** A page worth keeping: a full-page screenshot, `<lang>-<role>-<name>.png`. */
  async check(name: string): Promise<void> {
    const file = `${await this.lang()}-${this.role}-${name}.png`;
    await this.page.screenshot({ path: join(SCREENSHOT_DIR, file), fullPage: true });
    this.run.screenshots.add(file);
  }

  /**
   * axe-core on the page shown now: its serious and critical violations become findings of the
   * run. Injected through the DevTools protocol, so the portal's CSP (script-src 'self') stays on.
   */
  async audit(): Promise<number> {
    const started = Date.now();
    const injected = await this.page.evaluate(() => typeof (globalThis as AxeWindow).axe !== 'undefined');
    if (!injected) await this.page.evaluate(axeSource);
    const results = await this.page.evaluate(() =>
      (globalThis as AxeWindow).axe!.run((globalThis as unknown as { document: unknown }).document, {
        resultTypes: ['violations'],
      }),
    );
    this.run.audits++;
    this.run.auditMs += Date.now() - started;
    let found = 0;
    for (const v of results.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      found++;
      const where = v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ');
      this.note(`axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} node(s): ${where})`);
    }
    return found;
  }

  /** Logs in through the login page (Email → Next → password → Log in). */
  async logIn(email: string, password: string): Promise<void> {
    await this.goto('/login');
    await this.page.locator('#email').fill(email);
    await this.clickAndLoad(this.button(/^(Suivant|Next)$/));
    await this.page.locator('#password').fill(password);
    const status = await this.clickAndLoad(this.button(/^(Se connecter|Log in)$/));
    if (status !== 200 || new URL(this.page.url()).pathname === '/login') {
      throw new Error(`login of ${email} failed: ${status} at ${this.page.url()}`);
    }
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
