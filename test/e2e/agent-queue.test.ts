import { readFileSync } from 'node:fs';
import { REQUEST_TYPES } from '@woop/contracts';
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
 * An agent works from a queue in Chromium: sorts it by priority, filters it (both kept in the
 * URL), assigns three requests at once to a team (one refused, and said so), sees the rows
 * change, downloads the page as CSV, moves with j/k and opens with Enter / r, then changes a
 * priority in bulk in English. Every page is audited with axe-core; screenshots
 * `fr-admin-queue.png` and `en-admin-queue.png`.
 */
describe('working from a queue in a browser (Chromium)', () => {
  let tickets: TicketsApi;
  let identity: RunningIdentity;
  let gateway: RunningGateway;
  let portal: PortalRun;
  let admin: Visitor;
  const refs: string[] = [];
  let unqualified = '';

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
    portal = new PortalRun(await launchChromium(), origin, false);

    const customer = person('e2e-queue-customer', 'customer', {
      organizationId: 'org-enseigne-demo',
      name: 'Camille Q.',
    });
    const agent = person('e2e-queue-agent', 'agent', { teams: ['support'], name: 'Agent Q.' });
    const create = async (requestType: string, summary: string) => {
      const type = REQUEST_TYPES.find((t) => t.key === requestType)!;
      const res = await tickets.call(customer, 'POST', '/tickets', {
        requestType,
        portal: 'retailer',
        summary,
        fields: validFields(type),
      });
      expect(res.status).toBe(201);
      return (res.body.ticket as { reference: string }).reference;
    };
    const qualify = async (reference: string, priority: string) =>
      expect(
        (
          await tickets.call(agent, 'POST', `/tickets/${reference}/actions/qualify`, {
            payload: { priority, billable: false },
          })
        ).status,
      ).toBe(200);
    // Three qualified requests (no agent, no team) and one not yet qualified: all "unassigned".
    refs.push(await create('ask-a-question', 'Question basse'));
    refs.push(await create('report-a-bug', 'Bug critique'));
    refs.push(await create('ask-a-question', 'Question haute'));
    unqualified = await create('ask-a-question', 'Pas encore qualifiée');
    await qualify(refs[0]!, 'low');
    await qualify(refs[1]!, 'critical');
    await qualify(refs[2]!, 'high');
  }, 180_000);

  afterAll(async () => {
    await portal?.browser.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop()]);
  });

  /** The references of the rows shown, in order (the third column). */
  const shown = () => admin.page.locator('#queue-table tbody tr td:nth-child(3) a').allTextContents();
  const cell = (reference: string, css: string) => admin.page.locator(`#row-${reference} td.${css}`).innerText();

  it('sorts by priority and filters, both kept in the URL, with the SLA time left on each row', async () => {
    admin = await portal.person('admin');
    await admin.logIn('admin@woop.example', DEMO_PASSWORD);
    expect(await admin.goto('/agent/queues/unassigned')).toBe(200);
    expect(await shown()).toEqual([...refs, unqualified]);
    for (const reference of [...refs, unqualified]) {
      expect(await cell(reference, 'sla')).toMatch(
        /^\d+ h \d\d ouvrées(, bientôt dépassé)?\nPremière réponse · Échéance : /,
      );
    }
    expect(await admin.clickAndLoad(admin.page.locator('#sort-priority'))).toBe(200);
    expect(new URL(admin.page.url()).searchParams.get('sort')).toBe('-priority');
    expect(await admin.page.locator('th[aria-sort="descending"] #sort-priority').count()).toBe(1);
    // Critical, high, then medium (the unqualified request's default) and low.
    expect((await shown()).slice(0, 2)).toEqual([refs[1], refs[2]]);
    expect((await shown()).at(-1)).toBe(refs[0]);

    await admin.page.locator('#queue-filter-type').selectOption('report-a-bug');
    expect(await admin.clickAndLoad(admin.page.locator('#queue-filter-apply'))).toBe(200);
    const url = new URL(admin.page.url());
    expect([url.searchParams.get('sort'), url.searchParams.get('requestType')]).toEqual(['-priority', 'report-a-bug']);
    expect(await shown()).toEqual([refs[1]]);
    expect(await admin.page.locator('#sort-sla').getAttribute('href')).toContain('requestType=report-a-bug');
    expect(await admin.page.locator('#queue-csv').getAttribute('href')).toContain('requestType=report-a-bug');
    expect(await admin.clickAndLoad(admin.page.locator('#queue-filter-clear'))).toBe(200);
    expect(await shown()).toHaveLength(4);
  }, 60_000);

  it('assigns the ticked requests to a team at once, and says which one was refused and why', async () => {
    for (const reference of [...refs, unqualified]) await admin.page.locator(`#select-${reference}`).check();
    await admin.page.locator('#bulk-team').selectOption('support');
    expect(await admin.clickAndLoad(admin.page.locator('#bulk-submit'))).toBe(200);
    expect(await admin.notices()).toEqual([
      `3 demandes attribuées, 1 refusée (${unqualified} : pas encore qualifiée).`,
    ]);
    expect(new URL(admin.page.url()).pathname).toBe('/agent/queues/unassigned');
    for (const reference of refs) {
      expect(await cell(reference, 'assignment')).toBe('Équipe support');
      expect(await admin.page.locator(`#row-${reference} .status`).innerText()).toBe('ATTRIBUÉ');
    }
    // Refused: still OUVERT (its request type's team, no more), as before the form.
    expect(await admin.page.locator(`#row-${unqualified} .status`).innerText()).toBe('OUVERT');
    // Nothing ticked: nothing done, and said so.
    expect(await admin.clickAndLoad(admin.page.locator('#bulk-submit'))).toBe(200);
    expect(await admin.notices()).toEqual(["Aucune demande n'est cochée : rien n'a été fait."]);
    await admin.check('queue');
  }, 60_000);

  it('refuses more than 100 requests at once, doing nothing, and a form without its token', async () => {
    const token = await admin.page.locator('#bulk-form input[name="_csrf"]').inputValue();
    const post = (fields: URLSearchParams) =>
      admin.page.request.post('/agent/queues/unassigned/bulk', {
        data: fields.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: portal.origin },
      });
    const fields = new URLSearchParams({ _csrf: token, op: 'priority', priority: 'low', view: '' });
    fields.append('ref', refs[1]!);
    for (let i = 1; i <= 100; i++) fields.append('ref', `SUPPORT-${i}`);
    const tooMany = await post(fields);
    expect(tooMany.status()).toBe(200);
    expect(await tooMany.text()).toContain('Trop de demandes cochées : 100 au plus à la fois.');
    fields.delete('_csrf');
    fields.delete('ref');
    fields.append('ref', refs[1]!);
    expect((await post(fields)).status()).toBe(403);
    expect(await admin.goto('/agent/queues/unassigned')).toBe(200);
    expect(await admin.page.locator(`#row-${refs[1]} td.priority`).innerText()).toBe('Critique');
  });

  it('downloads the rows shown as CSV', async () => {
    const [file] = await Promise.all([admin.page.waitForEvent('download'), admin.page.locator('#queue-csv').click()]);
    const bytes = readFileSync(await file.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.toString('utf8'));
    expect(rows[0]!.slice(0, 3)).toEqual(['Référence', 'Type', 'Résumé']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(await shown());
    const critical = rows.find((r) => r[0] === refs[1])!;
    expect([critical[4], critical[5], critical[7], critical[8]]).toEqual(['Critique', 'Camille Q.', 'support', '']);
    expect(critical[9]).toMatch(/^\d+ h \d\d ouvrées/);
  });

  it('moves with j and k, opens with Enter, and at the reply form with r', async () => {
    const page = admin.page;
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const order = await shown();
    expect(await page.locator('tr.kb-current').getAttribute('id')).toBe(`row-${order[0]}`);
    await page.keyboard.press('j');
    await Promise.all([page.waitForURL(`**/requests/${order[1]}`), page.keyboard.press('Enter')]);
    await page.goBack();
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await Promise.all([page.waitForURL(`**/requests/${order[0]}#comment-body`), page.keyboard.press('r')]);
    expect(await admin.audit()).toBe(0);
  }, 60_000);

  it('reads in English and changes a priority in bulk', async () => {
    expect(await admin.goto('/agent/queues/unassigned')).toBe(200);
    expect(await admin.clickAndLoad(admin.button('English'))).toBe(200);
    expect(await admin.goto('/agent/queues/unassigned?sort=-priority')).toBe(200);
    expect(await admin.page.locator('#queue-table th').allInnerTexts()).toContain('SLA, TIME LEFT');
    await admin.page.locator(`#select-${refs[0]}`).check();
    await admin.page.locator('#bulk-op-priority').check();
    await admin.page.locator('#bulk-priority').selectOption('critical');
    expect(await admin.clickAndLoad(admin.page.locator('#bulk-submit'))).toBe(200);
    expect(await admin.notices()).toEqual(["1 request's priority changed."]);
    expect(new URL(admin.page.url()).searchParams.get('sort')).toBe('-priority');
    expect(await admin.page.locator(`#row-${refs[0]} td.priority`).innerText()).toBe('Critical');
    expect(await cell(refs[0]!, 'sla')).toMatch(/^\d+ h \d\d business time(, at risk)?\nFirst response · Due: /);
    await admin.check('queue');
  }, 60_000);

  it('is no page for a customer, and no queue that is not one', async () => {
    expect(await admin.goto('/agent/queues/nope')).toBe(404);
    expect((await admin.page.request.get('/agent/queues/nope/export.csv')).status()).toBe(404);
    const customer = await portal.person('customer');
    await customer.logIn('claire@enseigne.example', DEMO_PASSWORD);
    for (const path of ['/agent', '/agent/queues/unassigned', '/agent/queues/unassigned/export.csv']) {
      expect([path, (await customer.page.request.get(path)).status()]).toEqual([path, 404]);
    }
    await customer.close();
  });

  it('met no serious or critical accessibility violation and no script error', () => {
    expect(portal.findings).toEqual([]);
    expect([...portal.screenshots].sort()).toEqual(['en-admin-queue.png', 'fr-admin-queue.png']);
    process.stdout.write(`agent queue e2e: ${portal.audits} pages audited, screenshots in ${SCREENSHOT_DIR}\n`);
  });
});
