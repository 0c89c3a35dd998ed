import { randomBytes } from 'node:crypto';
import { CATEGORIES, REQUEST_TYPES, STATUS_LABELS, type TicketStatus } from '@woop/contracts';
import { DEMO_PASSWORD } from '../../services/identity/src/seed';
import { launchChromium, PortalRun, SCREENSHOT_DIR, type Visitor } from '../support/browser';
import { eventually } from '../support/eventually';
import { originOf, startGateway, type RunningGateway } from '../support/gateway-harness';
import { startIdentity, type RunningIdentity } from '../support/identity-harness';
import { emailsTo, headerOf, linksIn, waitForEmail, type CaughtEmail } from '../support/mailcatcher';
import { startNotifications } from '../support/notifications-harness';
import { freePort } from '../support/processes';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

/**
 * The portal end to end, as its users see it: Chromium on the gateway's pages, in front of
 * identity, tickets (with its Temporal worker) and notifications (sending to MailDev), all
 * in-process on the real servers. One walk in steps that build on each other, following the
 * guide: sign-up by emailed link, the four categories of requests, "Demandes" and its filters,
 * an agent and the customer taking a request through its statuses, sharing and who may see
 * what, English, the CSRF check, and every link of every email the run's people received.
 * Each page looked at is checked with axe-core and saved as a screenshot (.data/screenshots/).
 */

const RUN = randomBytes(3).toString('hex');
const CUSTOMER = { email: `e2e-${RUN}-camille@enseigne.example`, name: 'Camille Rousseau' };
const COLLEAGUE = { email: `e2e-${RUN}-jules@enseigne.example`, name: 'Jules Fontaine' };
const PASSWORD = 'Trois lapins verts dansent 2026';
/** A 1×1 PNG, the request's attachment. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

/** The smallest file that starts as a PDF must (the service checks the signature). */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

const STEP = 150_000;
const ERROR_HEADINGS = ['Page introuvable', 'Page not found', 'Un problème est survenu', 'Something went wrong'];
const LINK_PROBLEM = ['Ce lien ne peut pas être utilisé', 'This link cannot be used'];
const caps = (status: TicketStatus, locale: 'fr' | 'en' = 'fr') =>
  STATUS_LABELS[status][locale].toLocaleUpperCase(locale);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the portal in a browser (Chromium), end to end', () => {
  let tickets: TicketsApi;
  let identity: RunningIdentity;
  let notifications: Awaited<ReturnType<typeof startNotifications>>;
  let gateway: RunningGateway;
  let portal: PortalRun;
  let origin: string;
  const started = Date.now();
  /** What the email step saw: emails of this run, twins sent by another portal, links opened. */
  const mail = { emails: 0, twins: 0, links: 0 };

  // People, each with their own browser context, created by the steps that need them.
  let customer: Visitor;
  let colleague: Visitor;
  let agent: Visitor;
  /** The requests the customer files, by category. */
  const refs: Record<'general' | 'configuration' | 'technical' | 'personalData' | 'security', string> = {
    general: '',
    configuration: '',
    technical: '',
    personalData: '',
    security: '',
  };

  beforeAll(async () => {
    // The gateway's port is chosen first: identity and notifications write it in emailed links.
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // Tickets first: it learns people from the user.* events identity's seed publishes.
    tickets = await startTicketsApi();
    [identity, notifications] = await Promise.all([
      startIdentity({ PORTAL_URL: origin }),
      startNotifications({ PORTAL_URL: origin }),
    ]);
    gateway = await startGateway(
      {
        IDENTITY_URL: originOf(identity.base),
        TICKETS_URL: originOf(tickets.base),
        NOTIFICATIONS_URL: originOf(notifications.base),
      },
      { port },
    );
    expect(gateway.origin).toBe(origin);
    portal = new PortalRun(await launchChromium(), origin);
  }, 180_000);

  afterAll(async () => {
    await portal?.browser.close();
    await gateway?.stop();
    await Promise.all([identity?.stop(), tickets?.stop(), notifications?.stop()]);
    if (portal) {
      process.stdout.write(
        `e2e: ${Math.round((Date.now() - started) / 1000)} s; ${portal.audits} pages audited with axe-core ` +
          `(${Math.round(portal.auditMs / 1000)} s); ${portal.screenshots.size} screenshots in ${SCREENSHOT_DIR}; ` +
          `${mail.links} links opened from ${mail.emails} emails (${mail.twins} twins from another portal skipped)\n`,
      );
    }
  });

  // ---- helpers ----------------------------------------------------------------------------

  const pathOf = (v: Visitor) => new URL(v.page.url()).pathname;
  const mainText = async (v: Visitor) => (await v.page.locator('main').innerText()).replace(/\s+/g, ' ');
  /** The references listed on a "Demandes" page. */
  const listed = (v: Visitor) => v.page.locator('main table tbody tr td:nth-child(2) a').allTextContents();

  /** Sign-up as the guide tells it: login page → "S'inscrire" → address → emailed link → name and password. */
  async function signUp(v: Visitor, who: { email: string; name: string }, shots: boolean): Promise<void> {
    const check = (name: string) => (shots ? v.check(name) : Promise.resolve());
    expect(await v.goto('/')).toBe(200);
    expect(pathOf(v)).toBe('/login');
    expect(await v.heading()).toBe('Se connecter au portail du support');
    expect(await mainText(v)).toContain("Besoin d'un compte ? S'inscrire");
    await check('login');
    expect(await v.clickAndLoad(v.link("S'inscrire"))).toBe(200);
    expect(await v.heading()).toBe("S'inscrire");
    await check('signup');
    if (shots) {
      expect(await v.clickAndLoad(v.button('Envoyer le lien'))).toBe(400);
      expect(await v.page.locator('#email-error').textContent()).toBe('Ce champ est obligatoire.');
      await check('signup-errors');
    }
    await v.page.locator('#email').fill(who.email);
    expect(await v.clickAndLoad(v.button('Envoyer le lien'))).toBe(200);
    expect(await v.heading()).toBe('Consultez votre boîte mail');
    expect(await mainText(v)).toContain(who.email);
    await check('signup-link-sent');

    const email = await waitForEmail(
      (e) => e.to.some((t) => t.address === who.email) && e.subject.startsWith('Almost done!'),
      30_000,
    );
    const link = linksIn(email).find((l) => new URL(l).pathname === '/signup/complete');
    expect(link).toBeDefined();
    expect(new URL(link!).origin).toBe(origin);
    expect(await v.goto(link!)).toBe(200);
    expect(await v.heading()).toBe('Presque terminé !');
    expect(await v.page.locator('#password-rules li').allTextContents()).toEqual([
      'Au moins 12 caractères (256 au plus).',
      'Pas un mot de passe courant.',
      'Ni votre nom, ni votre adresse e-mail.',
    ]);
    await check('signup-complete');
    await v.page.locator('#fullName').fill(who.name);
    if (shots) {
      await v.page.locator('#password').fill('court');
      expect(await v.clickAndLoad(v.button("S'inscrire"))).toBe(400);
      expect(await v.page.locator('#password-error').isVisible()).toBe(true);
      expect(await v.page.locator('#fullName').inputValue()).toBe(who.name);
      await check('signup-complete-errors');
    }
    await v.page.locator('#password').fill(PASSWORD);
    expect(await v.clickAndLoad(v.button("S'inscrire"))).toBe(200);
    expect(pathOf(v)).toBe('/');
    expect(await v.heading()).toBe('Portail du support WOOP');
    expect(await v.notices()).toContain('Votre compte est prêt. Bienvenue sur le portail du support WOOP !');
    expect(await v.page.getByRole('navigation', { name: 'Menu principal' }).innerText()).toContain(who.name);
    await check('home');
  }

  /** Files a request of the retailer portal through its form; resolves with its reference. */
  async function fileRequest(
    v: Visitor,
    typeKey: string,
    values: Record<string, string>,
    opts: { shot?: string; file?: { name: string; mimeType: string; buffer: Buffer } } = {},
  ): Promise<string> {
    expect(await v.goto('/portal/retailer')).toBe(200);
    expect(await v.clickAndLoad(typeLink(v, typeKey))).toBe(200);
    expect(await v.heading()).toBe(typeOf(typeKey).label.fr);
    if (opts.shot) await v.check(opts.shot);
    for (const [id, value] of Object.entries(values)) {
      const input = v.page.locator(`#${id}`);
      if ((await input.evaluate((e) => (e as { tagName: string }).tagName)) === 'SELECT')
        await input.selectOption(value);
      else await input.fill(value);
    }
    if (opts.file) await v.page.locator('#attachments').setInputFiles(opts.file);
    expect(await v.clickAndLoad(v.button('Envoyer'))).toBe(200);
    const reference = /^\/requests\/(SUPPORT-\d+)$/.exec(pathOf(v))?.[1];
    expect(reference).toBeDefined();
    expect(await v.notices()).toContain(`Votre demande ${reference} a été créée.`);
    expect(await v.statusBadge()).toBe(caps('open'));
    if (opts.file) expect(await v.link(opts.file.name).count()).toBe(1);
    return reference!;
  }

  const typeOf = (key: string) => REQUEST_TYPES.find((t) => t.key === key)!;
  /** A request type's link on a portal's page, named by its label and its description. */
  const typeLink = (v: Visitor, key: string, locale: 'fr' | 'en' = 'fr') => {
    const type = typeOf(key);
    return v.link(new RegExp(`^${escape(type.label[locale])}\\s+${escape(type.description[locale])}$`));
  };

  /** Sets the "Demandes" filters by their labels' fields and searches. */
  async function filter(
    v: Visitor,
    f: { q?: string; status?: string; scope?: string; requestType?: string },
  ): Promise<string[]> {
    await v.page.locator('#q').fill(f.q ?? '');
    await v.page.locator('#status').selectOption(f.status ?? 'open');
    await v.page.locator('#scope').selectOption(f.scope ?? 'all');
    await v.page.locator('#requestType').selectOption(f.requestType ?? '');
    expect(await v.clickAndLoad(v.button(/^(Rechercher|Search)$/))).toBe(200);
    return listed(v);
  }

  /** An action's form on the request page: fills its field (if any), presses its button. */
  async function act(v: Visitor, button: string, field?: { id: string; text: string }): Promise<number> {
    if (field) await v.page.locator(`#${field.id}`).fill(field.text);
    return v.clickAndLoad(v.button(button));
  }

  const openRequest = async (v: Visitor, reference: string) => {
    expect(await v.goto(`/requests/${reference}`)).toBe(200);
  };

  // ---- the walk -----------------------------------------------------------------------------

  it(
    'signs a new customer up from the login page with the emailed link, logged in on the portal',
    async () => {
      customer = await portal.person('customer');
      await signUp(customer, CUSTOMER, true);
    },
    STEP,
  );

  it(
    'files a request of each of the four categories through the forms, each with an attachment, with inline errors',
    async () => {
      const c = customer;
      expect(await c.clickAndLoad(c.link(/^Je travaille pour une enseigne/))).toBe(200);
      expect(await c.heading()).toBe('Je travaille pour une enseigne');
      expect(await c.page.locator('main h2').allTextContents()).toEqual(Object.values(CATEGORIES).map((l) => l.fr));
      await c.check('portal-retailer');

      // 1- general: an empty form first, refused field by field, what was typed kept.
      expect(await c.clickAndLoad(typeLink(c, 'ask-a-question'))).toBe(200);
      expect(await c.heading()).toBe('Poser une question');
      await c.check('create-ask-a-question');
      await c.page.locator('#description').fill(`Description gardée ${RUN}`);
      expect(await c.clickAndLoad(c.button('Envoyer'))).toBe(400);
      expect(await c.page.locator('#form-errors').innerText()).toContain('Le formulaire contient des erreurs');
      expect(await c.page.locator('#summary-error').textContent()).toBe('Ce champ est obligatoire.');
      expect(await c.page.locator('#summary').getAttribute('aria-invalid')).toBe('true');
      expect(await c.page.locator('#description').inputValue()).toBe(`Description gardée ${RUN}`);
      await c.check('create-errors');
      await c.page.locator('#summary').fill(`Question ${RUN} horaires de passage`);
      await c.page
        .locator('#attachments')
        .setInputFiles({ name: `capture-${RUN}.png`, mimeType: 'image/png', buffer: PNG });
      expect(await c.clickAndLoad(c.button('Envoyer'))).toBe(200);
      refs.general = /^\/requests\/(SUPPORT-\d+)$/.exec(pathOf(c))?.[1] ?? '';
      expect(refs.general).not.toBe('');
      expect(await c.notices()).toContain(`Votre demande ${refs.general} a été créée.`);
      expect(await c.statusBadge()).toBe('OUVERT');
      expect(await c.link(`capture-${RUN}.png`).count()).toBe(1);
      expect(await c.page.locator('main').innerText()).toContain(`Description gardée ${RUN}`);
      await c.check('request');

      // 2- configuration, 3- technical, 4- personal data.
      refs.configuration = await fileRequest(
        c,
        'configuration-request',
        {
          summary: `Configuration ${RUN} créneaux du samedi`,
          'field-setting': 'Créneaux de livraison',
          'field-desiredValue': 'Samedi 8h-12h',
        },
        {
          shot: 'create-configuration-request',
          file: {
            name: `creneaux-${RUN}.csv`,
            mimeType: 'text/csv',
            buffer: Buffer.from('jour;debut;fin\nsamedi;08:00;12:00\n'),
          },
        },
      );
      refs.technical = await fileRequest(
        c,
        'technical-assistance',
        {
          summary: `Assistance ${RUN} API indisponible`,
          description: 'Les appels renvoient une erreur 502 depuis ce matin.',
          'field-affectedTool': 'API commandes',
          'field-environment': 'production',
        },
        {
          shot: 'create-technical-assistance',
          file: { name: `erreurs-${RUN}.txt`, mimeType: 'text/plain', buffer: Buffer.from('502 Bad Gateway\n') },
        },
      );
      refs.personalData = await fileRequest(
        c,
        'personal-data-deletion',
        {
          summary: `Suppression ${RUN} données d'un client`,
          'field-dataSubjects': 'client-4242',
          'field-scope': 'delete',
        },
        {
          shot: 'create-personal-data-deletion',
          file: { name: `demande-${RUN}.pdf`, mimeType: 'application/pdf', buffer: PDF },
        },
      );
    },
    STEP,
  );

  it(
    'finds them in "Demandes" with each filter: status, requester, type and "La demande contient…"',
    async () => {
      const c = customer;
      const mine = [refs.general, refs.configuration, refs.technical, refs.personalData];
      const menu = c.page.getByRole('navigation', { name: 'Menu principal' });
      expect(await c.clickAndLoad(menu.getByRole('link', { name: 'Demandes' }))).toBe(200);
      expect(await c.heading()).toBe('Demandes');
      // "Demandes ouvertes" by default, newest first.
      expect(await c.page.locator('#status').inputValue()).toBe('open');
      expect(await listed(c)).toEqual([...mine].reverse());
      expect(await mainText(c)).toContain('Portail du support WOOP');
      await c.check('requests');

      expect(await filter(c, { status: 'all' })).toEqual(expect.arrayContaining(mine));
      expect(await filter(c, { scope: 'created' })).toEqual(expect.arrayContaining(mine));
      expect(await filter(c, { scope: 'organization', status: 'all' })).toEqual(expect.arrayContaining(mine));
      expect(await filter(c, { scope: 'shared', status: 'all' })).toEqual([]);
      expect(await mainText(c)).toContain('Aucune demande ne correspond.');
      expect(await filter(c, { status: 'all', requestType: 'configuration-request' })).toEqual([refs.configuration]);
      expect(await filter(c, { q: `${RUN} creneaux` })).toEqual([refs.configuration]); // accents ignored
      expect(await c.page.locator('#q').inputValue()).toBe(`${RUN} creneaux`);
      await c.check('requests-filtered');
      expect(await filter(c, { q: refs.technical })).toEqual([refs.technical]);
      expect(await filter(c, { q: `${RUN} introuvable` })).toEqual([]);
      expect(await filter(c, { status: 'done' })).toEqual([]);
    },
    STEP,
  );

  it(
    'takes a request through its statuses: the agent qualifies, asks, resolves; the customer answers, rejects, validates, reopens',
    async () => {
      const c = customer;
      const reference = refs.technical;
      agent = await portal.person('agent');
      await agent.logIn('paul@woop.example', DEMO_PASSWORD);
      await agent.check('home');

      await openRequest(agent, reference);
      expect(await agent.page.locator('#agent-title').textContent()).toBe('Traitement');
      expect(await agent.statusBadge()).toBe('OUVERT');
      await agent.check('request-open');
      await agent.page.locator('#qualify-priority').selectOption('high');
      await agent.page.locator('#qualify-billable').selectOption('true');
      await agent.page.locator('#qualify-agent').selectOption('user-paul');
      await agent.page.locator('#qualify-team').selectOption('support');
      expect(await act(agent, 'Qualifier')).toBe(200);
      expect(await agent.notices()).toContain('Demande qualifiée.');
      expect(await agent.statusBadge()).toBe('ATTRIBUÉ');
      const panel = await agent.page.locator('section[aria-labelledby="agent-title"]').innerText();
      expect(panel).toContain('Haute');
      expect(panel).toContain('Paul Agent');
      expect(panel).toContain('support');
      await agent.check('request-assigned');
      expect(await act(agent, 'Commencer le traitement')).toBe(200);
      expect(await agent.statusBadge()).toBe('EN COURS');
      // An internal note the customer never sees, and a public reply they do.
      await agent.page.locator('#comment-body').fill(`Note interne ${RUN}: voir les journaux du proxy`);
      await agent.page.getByLabel('Note interne (agents seulement)').check();
      expect(await act(agent, 'Ajouter')).toBe(200);
      expect(await agent.notices()).toContain('Note interne ajoutée.');
      await agent.page.locator('#comment-body').fill('Nous regardons les journaux de la passerelle.');
      expect(await act(agent, 'Ajouter')).toBe(200);
      expect(await agent.notices()).toContain('Réponse publique envoyée.');
      expect(
        await act(agent, 'Demander des informations', {
          id: 'info-question',
          text: 'Quel identifiant de commande échoue ?',
        }),
      ).toBe(200);
      expect(await agent.notices()).toContain('Question envoyée au client.');
      expect(await agent.statusBadge()).toBe('EN ATTENTE CLIENT');
      await agent.check('request-waiting');

      await openRequest(c, reference);
      expect(await c.statusBadge()).toBe('EN ATTENTE CLIENT');
      const page = await mainText(c);
      expect(page).toContain('Quel identifiant de commande échoue ?');
      expect(page).toContain('Nous regardons les journaux de la passerelle.');
      expect(page).toContain('qualifiée comme facturable');
      expect(page).not.toContain(`Note interne ${RUN}`);
      await c.check('request-waiting');
      expect(await act(c, 'Donner les informations demandées')).toBe(400);
      expect(await c.page.locator('#action-provideInformation-error').textContent()).toBe('Ce champ est obligatoire.');
      await c.check('request-waiting-errors');
      expect(
        await act(c, 'Donner les informations demandées', {
          id: 'action-provideInformation',
          text: 'La commande CMD-77.',
        }),
      ).toBe(200);
      expect(await c.notices()).toContain("Merci : vos informations ont été transmises à l'équipe Woop.");
      expect(await c.statusBadge()).toBe('EN COURS');

      await openRequest(agent, reference);
      expect(await act(agent, 'Résoudre', { id: 'resolve-answer', text: 'Le proxy a été redémarré.' })).toBe(200);
      expect(await agent.notices()).toContain('Demande résolue : la réponse attend la validation du client.');
      expect(await agent.statusBadge()).toBe('RÉSOLU');

      await openRequest(c, reference);
      expect(await c.statusBadge()).toBe('RÉSOLU');
      expect(await c.page.locator('section[aria-labelledby="answer-title"]').innerText()).toContain(
        'Le proxy a été redémarré.',
      );
      expect(await c.button('Valider la réponse').count()).toBe(1);
      expect(await mainText(c)).toContain('Sans réponse de votre part, elle sera validée automatiquement le');
      await c.check('request-resolved');
      expect(
        await act(c, 'Rejeter la réponse', { id: 'action-rejectResolution', text: "L'API renvoie toujours 502." }),
      ).toBe(200);
      expect(await c.notices()).toContain("Réponse rejetée : l'équipe Woop reprend votre demande.");
      expect(await c.statusBadge()).toBe('EN COURS');

      await openRequest(agent, reference);
      expect(await mainText(agent)).toContain("L'API renvoie toujours 502.");
      expect(await act(agent, 'Résoudre', { id: 'resolve-answer', text: 'Le certificat a été renouvelé.' })).toBe(200);
      expect(await agent.statusBadge()).toBe('RÉSOLU');

      await openRequest(c, reference);
      expect(await act(c, 'Valider la réponse')).toBe(200);
      expect(await c.notices()).toContain('Réponse validée : votre demande est terminée.');
      expect(await c.statusBadge()).toBe('TERMINÉ');
      // Validated: no deadline for a validation any more.
      expect(await mainText(c)).not.toContain('validée automatiquement');
      await c.check('request-done');
      expect(await act(c, 'Ré-ouvrir', { id: 'action-reopen', text: 'Le problème est revenu cet après-midi.' })).toBe(
        200,
      );
      expect(await c.notices()).toContain('Demande ré-ouverte.');
      expect(await c.statusBadge()).toBe('EN COURS');
      await c.check('request-reopened');
    },
    STEP,
  );

  it(
    'shares a request with a colleague; another organisation gets 404; a security request stays with the security team',
    async () => {
      const c = customer;
      colleague = await portal.person('colleague');
      await signUp(colleague, COLLEAGUE, false);
      // Sharing checks the colleague against the tickets service's directory, fed by identity's events.
      const colleagueId = String((await identity.svc.models.User.findOne({ email: COLLEAGUE.email }).lean())?._id);
      await eventually(
        () =>
          tickets.svc.models
            .native()
            .collection('people')
            .countDocuments({ _id: colleagueId as never }),
        (n) => n === 1,
      );

      await openRequest(c, refs.general);
      await c.page.locator('#share-user').selectOption({ label: COLLEAGUE.name });
      expect(await act(c, 'Partager')).toBe(200);
      expect(await c.notices()).toContain('Demande partagée.');
      expect(await c.page.getByRole('complementary').innerText()).toContain(COLLEAGUE.name);
      await c.check('request-shared');

      expect(await colleague.goto('/requests?scope=shared')).toBe(200);
      expect(await listed(colleague)).toEqual([refs.general]);
      await colleague.check('requests-shared');
      await openRequest(colleague, refs.general);
      expect(await colleague.heading()).toContain(`Question ${RUN} horaires de passage`);
      await colleague.check('request-shared-with-me');

      // A confidential security request: the reporter and the security team only.
      refs.security = await fileRequest(
        c,
        'report-a-vulnerability',
        {
          summary: `Faille ${RUN} jeton exposé`,
          'field-vulnerability': "Le jeton d'API apparaît dans l'URL.",
          'field-impact': 'Accès aux commandes des autres enseignes.',
        },
        { shot: 'create-report-a-vulnerability' },
      );
      expect(await mainText(c)).toContain("Demande confidentielle : elle n'est pas partagée.");
      expect(await c.page.locator('#share-user').count()).toBe(0);
      await c.check('request-confidential');

      expect(await colleague.goto('/requests?scope=organization&status=all')).toBe(200);
      const organisation = await listed(colleague);
      expect(organisation).toEqual(expect.arrayContaining([refs.general, refs.configuration, refs.technical]));
      expect(organisation).not.toContain(refs.security);
      expect(await colleague.goto(`/requests/${refs.security}`)).toBe(404);
      expect(await colleague.heading()).toBe('Page introuvable');
      await colleague.check('not-found');

      const outsider = await portal.person('other-organisation');
      await outsider.logIn('ines@transports.example', DEMO_PASSWORD);
      expect(await outsider.goto(`/requests/${refs.general}`)).toBe(404);
      expect(await outsider.heading()).toBe('Page introuvable');
      expect(await mainText(outsider)).not.toContain(`Question ${RUN}`);
      await outsider.check('not-found');
      expect(await outsider.goto('/requests?status=all&scope=all')).toBe(200);
      expect(await listed(outsider)).not.toContain(refs.general);
      await outsider.close();

      // Support agents do not see it (not found); the security team does.
      expect(await agent.goto(`/requests/${refs.security}`)).toBe(404);
      expect(await agent.heading()).toBe('Page introuvable');
      const security = await portal.person('security-agent');
      await security.logIn('sarah@woop.example', DEMO_PASSWORD);
      await openRequest(security, refs.security);
      expect(await security.heading()).toContain(`Faille ${RUN} jeton exposé`);
      expect(await security.page.locator('#agent-title').textContent()).toBe('Traitement');
      await security.check('request-confidential');
      await security.close();
    },
    STEP,
  );

  it(
    'refuses a form posted without its CSRF token with the 403 page, and changes nothing',
    async () => {
      const c = customer;
      await openRequest(c, refs.general);
      const form = c.page.locator(`form[action="/requests/${refs.general}/comment"]`);
      await form.locator('input[name="_csrf"]').evaluate((input) => (input as { remove(): void }).remove());
      await c.page.locator('#comment-body').fill(`Sans jeton ${RUN}`);
      expect(await act(c, 'Ajouter')).toBe(403);
      expect(await c.heading()).toBe('Un problème est survenu');
      expect(await mainText(c)).toContain('Ce formulaire a expiré. Rechargez la page et recommencez.');
      await c.check('csrf-refused');
      // The same without a browser's form, with the session's cookies.
      const direct = await c.page.request.post(`/requests/${refs.general}/comment`, {
        form: { body: `Sans jeton ${RUN}` },
        maxRedirects: 0,
      });
      expect(direct.status()).toBe(403);
      await openRequest(c, refs.general);
      expect(await mainText(c)).not.toContain(`Sans jeton ${RUN}`);
      // With its token, the same form goes through.
      await c.page.locator('#comment-body').fill(`Avec jeton ${RUN}`);
      expect(await act(c, 'Ajouter')).toBe(200);
      expect(await c.notices()).toContain('Commentaire ajouté.');
    },
    STEP,
  );

  it(
    'shows the portal in English: the footer link before login, the account language after',
    async () => {
      const visitor = await portal.person('visitor');
      expect(await visitor.goto('/login')).toBe(200);
      expect(await visitor.clickAndLoad(visitor.link('English'))).toBe(200);
      expect(pathOf(visitor)).toBe('/login');
      expect(await visitor.lang()).toBe('en');
      expect(await visitor.heading()).toBe('Log in to Support portal');
      expect(await mainText(visitor)).toContain('Need an account? Sign up');
      await visitor.check('login');
      expect(await visitor.clickAndLoad(visitor.link('Sign up'))).toBe(200);
      expect(await visitor.heading()).toBe('Sign up');
      expect(await visitor.button('Send link').count()).toBe(1);
      await visitor.check('signup');
      expect(await visitor.goto('/nowhere')).toBe(404);
      expect(await visitor.heading()).toBe('Page not found');
      await visitor.check('not-found');
      // And back to French, from the sign-up page.
      expect(await visitor.goto('/signup')).toBe(200);
      expect(await visitor.clickAndLoad(visitor.link('Français'))).toBe(200);
      expect(pathOf(visitor)).toBe('/signup');
      expect(await visitor.lang()).toBe('fr');
      expect(await visitor.heading()).toBe("S'inscrire");
      await visitor.close();

      // The colleague picks English for their account, from the footer of any page.
      const v = colleague;
      expect(await v.goto('/')).toBe(200);
      expect(await v.clickAndLoad(v.button('English'))).toBe(200);
      expect(await v.lang()).toBe('en');
      expect(await v.heading()).toBe('WOOP support portal');
      await v.check('home');
      expect(await v.goto('/')).toBe(200);
      expect(await v.lang()).toBe('en'); // kept: it is the account's
      expect(await v.clickAndLoad(v.link(/^I work for a retailer/))).toBe(200);
      await v.check('portal-retailer');
      expect(await v.clickAndLoad(typeLink(v, 'ask-a-question', 'en'))).toBe(200);
      expect(await v.heading()).toBe('Ask a question');
      expect(await v.clickAndLoad(v.button('Send'))).toBe(400);
      expect(await v.page.locator('#summary-error').textContent()).toBe('This field is required.');
      await v.check('create-errors');
      expect(await v.goto('/requests?scope=shared')).toBe(200);
      expect(await v.heading()).toBe('Requests');
      expect(await v.page.locator('#status option:checked').textContent()).toBe('Open requests');
      expect(await listed(v)).toEqual([refs.general]);
      await v.check('requests');
      await openRequest(v, refs.general);
      expect(await v.statusBadge()).toBe(caps('open', 'en'));
      await v.check('request');

      // The agent too: the request page with the agent's panel, in English.
      await openRequest(agent, refs.technical);
      expect(await agent.clickAndLoad(agent.button('English'))).toBe(200);
      expect(pathOf(agent)).toBe(`/requests/${refs.technical}`);
      expect(await agent.page.locator('#agent-title').textContent()).toBe('Handling');
      expect(await agent.statusBadge()).toBe(caps('in_progress', 'en'));
      await agent.check('request');
    },
    STEP,
  );

  it(
    "opens every link of every email the run's people received, each landing on a page of this portal",
    async () => {
      const people = [
        {
          who: CUSTOMER,
          tab: customer,
          expected: [
            'user.signup_requested',
            'ticket.information_requested',
            'ticket.resolved',
            'ticket.started',
            'ticket.replied',
          ],
        },
        { who: COLLEAGUE, tab: colleague, expected: ['user.signup_requested', 'ticket.shared'] },
      ];
      const ours = (e: CaughtEmail) => linksIn(e).every((l) => new URL(l).origin === origin);
      const opened = new Set<string>();
      for (const { who, tab, expected } of people) {
        const arrived = (list: CaughtEmail[]) =>
          new Set(list.filter(ours).map((e) => headerOf(e, 'x-woop-event-type')));
        let emails = await emailsTo(who.email);
        for (const deadline = Date.now() + 60_000; Date.now() < deadline; emails = await emailsTo(who.email)) {
          if (expected.every((type) => arrived(emails).has(type))) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        expect([...arrived(emails)]).toEqual(expect.arrayContaining(expected));
        // The local stack (if running) shares the Kafka topics and emails the same events with
        // links to its own portal: each such email must be the twin (same Message-ID) of one of ours.
        const mine = emails.filter(ours);
        for (const other of emails.filter((e) => !ours(e))) {
          expect(mine.map((e) => headerOf(e, 'message-id'))).toContain(headerOf(other, 'message-id'));
          mail.twins++;
        }
        mail.emails += mine.length;
        for (const email of mine) {
          const type = headerOf(email, 'x-woop-event-type') ?? 'email';
          // Every email but "your account changed" leads somewhere.
          if (type !== 'user.updated')
            expect([email.subject, linksIn(email).length > 0]).toEqual([email.subject, true]);
          for (const link of linksIn(email)) {
            if (opened.has(`${who.email} ${link}`)) continue;
            opened.add(`${who.email} ${link}`);
            const status = await tab.goto(link);
            const heading = await tab.heading();
            const where = `${link} (${email.subject}) → ${status} ${tab.page.url()} "${heading}"`;
            // A single-use link opened again may say so on its own page; anything else is a 200.
            const usedLink =
              status === 400 && LINK_PROBLEM.includes(heading) && new URL(link).searchParams.has('token');
            expect([where, usedLink ? 200 : status]).toEqual([where, 200]);
            expect([where, ERROR_HEADINGS.includes(heading)]).toEqual([where, false]);
            expect([where, new URL(tab.page.url()).origin]).toEqual([where, origin]);
            await tab.check(`email-${type.replace(/\W+/g, '-')}-${++mail.links}`);
          }
        }
      }
      // The two sign-up links and the request pages at least (created, shared, the answer's two buttons…).
      expect(mail.links).toBeGreaterThanOrEqual(8);
    },
    STEP,
  );

  it(
    'serves the agent console, the profile and the administration to whom they belong, and to nobody else',
    async () => {
      // The agent's queues (in English: the agent chose it in the step before): five, with counts.
      expect(await agent.goto('/agent')).toBe(200);
      expect(await agent.heading()).toBe('Agent console');
      expect(await agent.page.locator('main .counts a').count()).toBe(5);
      await agent.check('console');
      expect(await agent.goto('/agent/queues/team')).toBe(200);
      await agent.check('console-team');
      expect(await agent.goto('/agent/queues/nope')).toBe(404);

      // The agent's profile: the email switch moves, an API token is shown once and revoked.
      expect(await agent.goto('/profile')).toBe(200);
      await agent.check('profile');
      expect(await agent.clickAndLoad(agent.page.locator('form[action="/profile/agent-emails"] button'))).toBe(200);
      expect(await agent.notices()).toEqual(['Agent emails turned off.']);
      expect(await agent.clickAndLoad(agent.page.locator('form[action="/profile/agent-emails"] button'))).toBe(200);
      expect(await agent.notices()).toEqual(['Agent emails turned on.']);
      await agent.page.locator('#token-name').fill(`e2e ${RUN}`);
      expect(await agent.clickAndLoad(agent.button('Create a token'))).toBe(201);
      expect(await agent.page.locator('#new-token').inputValue()).toMatch(/^wpt_/);
      await agent.check('profile-token');
      const revoke = agent.page.getByRole('button', { name: `Revoke e2e ${RUN}` });
      expect(await agent.clickAndLoad(revoke)).toBe(200);
      expect(await agent.notices()).toEqual(['Token revoked.']);
      expect(await agent.page.getByRole('button', { name: `Revoke e2e ${RUN}` }).count()).toBe(0);
      expect(await agent.goto('/admin')).toBe(404);

      // A customer sees neither the console nor the administration; their profile has no tokens.
      for (const path of ['/agent', '/admin', '/admin/users']) expect(await customer.goto(path)).toBe(404);
      expect(await customer.goto('/profile')).toBe(200);
      expect(await customer.page.locator('#api-tokens').count()).toBe(0);
      await customer.check('profile');

      // The administration: organisations (one created through its form), users, the catalogue.
      const admin = await portal.person('admin');
      await admin.logIn('admin@woop.example', DEMO_PASSWORD);
      expect(await admin.goto('/admin')).toBe(200);
      expect(await admin.heading()).toBe('Administration');
      await admin.check('home');
      expect(await admin.goto('/admin/organizations/new')).toBe(200);
      await admin.page.locator('#org-name').fill(`Transports ${RUN}`);
      await admin.page.locator('#org-kind').selectOption('carrier');
      await admin.page.locator('#org-domains').fill(`transports-${RUN}.example`);
      expect(await admin.clickAndLoad(admin.page.locator('#org-submit'))).toBe(200);
      expect(await admin.goto('/admin/organizations')).toBe(200);
      expect(await mainText(admin)).toContain(`Transports ${RUN}`);
      await admin.check('organizations');
      expect(await admin.goto(`/admin/users?q=${encodeURIComponent(CUSTOMER.email)}`)).toBe(200);
      expect(await mainText(admin)).toContain(CUSTOMER.email);
      await admin.check('users');
      expect(await admin.goto('/admin/catalogue')).toBe(200);
      for (const type of REQUEST_TYPES) expect(await mainText(admin)).toContain(type.label.fr);
      await admin.check('catalogue');
      expect(await admin.goto('/admin/catalogue/report-a-bug')).toBe(200);
      await admin.check('request-type');
      await admin.close();
    },
    STEP,
  );

  it('has an accessibility check that finds violations (a page made to fail it)', async () => {
    const probe = await portal.person('probe');
    await probe.page.setContent(
      '<html lang="fr"><body><main><img src="data:,"><input type="text"></main></body></html>',
    );
    const before = portal.findings.length;
    expect(await probe.audit()).toBeGreaterThan(0); // image-alt and label: critical
    expect(
      portal.findings
        .slice(before)
        .map((f) => f.problem)
        .join('\n'),
    ).toMatch(/image-alt/);
    portal.findings.splice(before);
    await probe.close();
  });

  it('met no serious or critical accessibility violation and no script error on any page, and saved every screenshot', () => {
    const shots = [...portal.screenshots];
    for (const prefix of ['fr-customer-', 'en-colleague-', 'fr-agent-', 'en-agent-', 'en-visitor-']) {
      expect(shots.some((s) => s.startsWith(prefix))).toBe(true);
    }
    expect(portal.findings).toEqual([]);
  });
});
