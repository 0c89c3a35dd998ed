import { REQUEST_TYPES } from '@woop/contracts';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { ApiClient } from '../support/api-client';
import { launchChromium } from '../support/browser';
import { validFields } from '../support/forms';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { uniqueId } from '../support/ids';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * Finding 5 of issue 23, in the real Temporal UI (the dev server's, http://127.0.0.1:8233):
 * with the codec setting an admin makes once (docs/operations.md: the gateway's /codec, with
 * cross-origin credentials), the UI shows a ticket's workflow input in clear to a signed-in
 * admin, and ciphertext to an agent signed in the same way.
 */
const UI = process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233';

describe('the Temporal UI decodes ticket payloads for admins only (Chromium)', () => {
  let identity: RunningIdentity;
  let tickets: TicketsApi;
  let gateway: RunningGateway;
  let browser: Browser;
  let reference: string;
  const marker = uniqueId('uicodec').replace(/-/g, '');

  beforeAll(async () => {
    [identity, tickets, browser] = await Promise.all([startIdentity(), startTicketsApi(), launchChromium()]);
    gateway = await startGateway({
      IDENTITY_URL: originOf(identity.base),
      TICKETS_URL: originOf(tickets.base),
      NOTIFICATIONS_URL: 'http://127.0.0.1:9',
      TEMPORAL_UI_URL: UI,
      // The first create waits for the worker's first workflow task (its bundle is built then).
      UPSTREAM_TIMEOUT_MS: '30000',
    });
    const claire = (await ApiClient.connect(gateway.origin)).fresh();
    const login = await claire.post<{ csrfToken: string }>('/auth/login', {
      email: 'claire@enseigne.example',
      password: DEMO_PASSWORD,
    });
    claire.csrfToken = login.body.csrfToken;
    const bug = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;
    const res = await claire.post<{ ticket: { reference: string } }>('/tickets', {
      requestType: bug.key,
      portal: 'retailer',
      summary: `Écran ${marker}`,
      description: `Détails ${marker}`,
      fields: validFields(bug),
    });
    expect(res.status).toBe(201);
    reference = res.body.ticket.reference;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  /** The workflow's page in the UI, as `email` sees it with the codec setting made. */
  async function workflowPage(email: string) {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const codecAnswers: number[] = [];
      page.on('response', (r) => {
        if (r.url().startsWith(`${gateway.origin}/codec/decode`)) codecAnswers.push(r.status());
      });
      const login = await page.request.post(`${gateway.origin}/api/v1/auth/login`, {
        data: { email, password: DEMO_PASSWORD },
      });
      expect(login.status()).toBe(200);
      // The UI's codec setting (its Data Encoder dialog keeps it in the browser's storage).
      await page.goto(`${UI}/namespaces/default/workflows`);
      await page.evaluate((endpoint) => {
        const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } })
          .localStorage;
        storage.setItem('endpoint', JSON.stringify(endpoint));
        storage.setItem('includeCredentials', 'true');
        storage.setItem('overrideRemoteCodecConfiguration', 'true');
      }, `${gateway.origin}/codec`);
      await page.goto(`${UI}/namespaces/default/workflows/ticket-${reference}`);
      // The input panel shows either the decoded ticket or the ciphertext under the UI's warning.
      await page
        .getByText(`Détails ${marker}`)
        .or(page.getByText('Codec Server could not'))
        .filter({ visible: true })
        .first()
        .waitFor({ timeout: 30_000 });
      return { text: await page.locator('body').innerText(), codecAnswers };
    } finally {
      await context.close();
    }
  }

  it("shows an admin the ticket's description", async () => {
    const { text, codecAnswers } = await workflowPage('admin@woop.example');
    expect(codecAnswers.length).toBeGreaterThan(0);
    expect(codecAnswers.every((s) => s === 200)).toBe(true);
    expect(text).toContain(`Détails ${marker}`);
  }, 120_000);

  it('shows an agent ciphertext only', async () => {
    const { text, codecAnswers } = await workflowPage('paul@woop.example');
    expect(codecAnswers.length).toBeGreaterThan(0);
    expect(codecAnswers.every((s) => s === 403)).toBe(true);
    expect(text).not.toContain(marker);
  }, 120_000);
});
