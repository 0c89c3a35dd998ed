import { readFileSync } from 'node:fs';
import { REQUEST_TYPES } from '@woop/contracts';
import type { VerifiedIdentity } from '@woop/service-kit';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { parseCsv } from '../../services/gateway/src/pages/reports/csv';
import { launchChromium, PortalRun, SCREENSHOT_DIR, type Visitor } from '../support/browser';
import { validFields } from '../support/forms';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { person } from '../support/people';
import { freePort } from '../support/processes';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * The reports page in Chromium: an admin reads it in French and English (charts drawn, each
 * table beside its chart), downloads CSVs that hold the table's rows, filters by team in the
 * URL; an agent who leads no team and a customer get no such page. Every page is audited with
 * axe-core; screenshots `fr-admin-reports.png` and `en-admin-reports.png`.
 */

const CHART_IDS = [
  'weekly',
  'backlog-status',
  'backlog-type',
  'sla-first-response',
  'sla-resolution',
  'first-response',
];

describe('the reports page in a browser (Chromium)', () => {
  let tickets: TicketsApi;
  let identity: RunningIdentity;
  let gateway: RunningGateway;
  let portal: PortalRun;
  let admin: Visitor;

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    tickets = await startTicketsApi();
    identity = await startIdentity({ PORTAL_URL: origin });
    gateway = await startGateway(
      {
        IDENTITY_URL: originOf(identity.base),
        TICKETS_URL: originOf(tickets.base),
        NOTIFICATIONS_URL: 'http://127.0.0.1:9',
      },
      { port },
    );
    portal = new PortalRun(await launchChromium(), origin);

    // A few requests in several statuses, types and priorities, through the tickets API.
    const customer = person('e2e-report-customer', 'customer', {
      organizationId: 'org-enseigne-demo',
      name: 'Camille R.',
    });
    const agent = person('e2e-report-agent', 'agent', { teams: ['support'], name: 'Agent R.' });
    const create = async (requestType: string) => {
      const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
      const res = await tickets.call(customer, 'POST', '/tickets', {
        requestType,
        portal: 'retailer',
        summary: `Report ${requestType}`,
        fields: validFields(type),
      });
      expect(res.status).toBe(201);
      return (res.body.ticket as { reference: string }).reference;
    };
    const act = async (
      who: VerifiedIdentity,
      reference: string,
      action: string,
      payload: Record<string, unknown> = {},
    ) =>
      expect((await tickets.call(who, 'POST', `/tickets/${reference}/actions/${action}`, { payload })).status).toBe(
        200,
      );
    const [a, b] = [await create('ask-a-question'), await create('report-a-bug')];
    await create('delivery-request');
    await act(agent, a, 'qualify', { priority: 'high', billable: false, assignment: { team: 'support' } });
    await act(agent, a, 'start');
    await act(agent, a, 'reply', { body: 'Réponse' });
    await act(agent, a, 'resolve', { answer: 'Réglé' });
    await act(agent, b, 'qualify', { priority: 'critical', billable: false, assignment: { team: 'support' } });
  }, 180_000);

  afterAll(async () => {
    await portal?.browser.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  /** Each chart's table as the page shows it: header row, then the rows' cells. */
  const tableOf = async (v: Visitor, id: string) => {
    const rows: string[][] = [];
    for (const row of await v.page.locator(`#table-${id} tr`).all()) {
      rows.push((await row.locator('th, td').allTextContents()).map((c) => c.trim()));
    }
    return rows;
  };
  const download = async (v: Visitor, id: string) => {
    const [file] = await Promise.all([v.page.waitForEvent('download'), v.page.locator(`#csv-${id}`).click()]);
    const bytes = readFileSync(await file.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return parseCsv(bytes.toString('utf8'));
  };

  it('shows an admin the charts, each with its table and a CSV of the same rows, in French', async () => {
    admin = await portal.person('admin');
    await admin.logIn('admin@woop.example', DEMO_PASSWORD);
    await admin.goto('/agent');
    expect(await admin.clickAndLoad(admin.link('Rapports'))).toBe(200);
    expect(new URL(admin.page.url()).pathname).toBe('/agent/reports');
    expect(await admin.heading()).toBe('Rapports du support');
    for (const id of CHART_IDS) {
      const svg = admin.page.locator(`#chart-${id} svg`);
      expect(await svg.count()).toBe(1);
      // Drawn: bars or lines, not an empty frame.
      expect(await svg.locator('path').count()).toBeGreaterThan(2);
      expect((await svg.boundingBox())!.width).toBeGreaterThan(300);
    }
    expect(await admin.page.locator('#satisfaction-none').textContent()).toBe('Pas encore de notes.');
    const weekly = await tableOf(admin, 'weekly');
    expect(weekly[0]).toEqual(['Semaine', 'Lundi', 'Créées', 'Résolues']);
    expect(weekly).toHaveLength(13);
    expect(weekly.at(-1)!.slice(2)).toEqual(['3', '1']);
    expect((await tableOf(admin, 'backlog-type')).slice(1).map((r) => r[1])).toEqual(['1', '1', '1']);
    for (const t of ['ask-a-question', 'report-a-bug', 'delivery-request']) {
      const label = REQUEST_TYPES.find((r) => r.key === t)!.label.fr;
      expect((await tableOf(admin, 'backlog-type')).map((r) => r[0])).toContain(label);
    }
    await admin.check('reports');
    for (const id of CHART_IDS) expect(await download(admin, id)).toEqual(await tableOf(admin, id));
  }, 120_000);

  it('keeps the filters in the URL and the CSV links, and says when they do not hold', async () => {
    await admin.page.locator('#report-team').selectOption('support');
    expect(await admin.clickAndLoad(admin.button('Afficher'))).toBe(200);
    const url = new URL(admin.page.url());
    expect(url.searchParams.get('team')).toBe('support');
    expect(await admin.page.locator('#report-team').inputValue()).toBe('support');
    expect(await admin.page.locator('#csv-weekly').getAttribute('href')).toContain('team=support');
    expect((await tableOf(admin, 'weekly')).at(-1)!.slice(2)).toEqual(['3', '1']);
    expect(await download(admin, 'sla-first-response')).toEqual(await tableOf(admin, 'sla-first-response'));
    expect(await admin.goto('/agent/reports?from=2026-02-30')).toBe(200);
    expect(await admin.page.locator('#reports-invalid').textContent()).toContain('ne sont pas valables');
  });

  it('reads in English, CSV included', async () => {
    expect(await admin.clickAndLoad(admin.button('English'))).toBe(200);
    expect(await admin.goto('/agent/reports')).toBe(200);
    expect(await admin.heading()).toBe('Support reports');
    expect((await tableOf(admin, 'sla-resolution'))[0]).toEqual([
      'Priority',
      'Within target',
      'Breached',
      'Running',
      'Compliance',
    ]);
    expect(await admin.page.locator('#satisfaction-none').textContent()).toBe('No ratings yet.');
    await admin.check('reports');
    for (const id of ['backlog-status', 'first-response'])
      expect(await download(admin, id)).toEqual(await tableOf(admin, id));
  });

  it('is no page for an agent who leads no team, nor for a customer', async () => {
    const agent = await portal.person('agent');
    await agent.logIn('paul@woop.example', DEMO_PASSWORD);
    expect(await agent.page.locator('header a[href="/agent/reports"]').count()).toBe(0);
    expect(await agent.goto('/agent/reports')).toBe(404);
    expect(await agent.goto('/agent/reports.csv?chart=weekly')).toBe(404);
    // The API says the same, with its problem code; an admin's session reads the figures.
    const refused = await agent.page.request.get('/api/v1/reports');
    expect([refused.status(), ((await refused.json()) as { code: string }).code]).toEqual([403, 'forbidden']);
    const figures = await admin.page.request.get('/api/v1/reports?team=support');
    expect(figures.status()).toBe(200);
    expect(((await figures.json()) as { period: { team: string } }).period.team).toBe('support');
    const customer = await portal.person('customer');
    await customer.logIn('claire@enseigne.example', DEMO_PASSWORD);
    expect(await customer.goto('/agent/reports')).toBe(404);
    await Promise.all([agent.close(), customer.close()]);
  });

  it('met no serious or critical accessibility violation and no script error', () => {
    expect(portal.findings).toEqual([]);
    expect([...portal.screenshots].sort()).toEqual(['en-admin-reports.png', 'fr-admin-reports.png']);
    process.stdout.write(`reports e2e: screenshots in ${SCREENSHOT_DIR}\n`);
  });
});
