import { join } from 'node:path';
import express, { type Express } from 'express';
import { accountPages } from './account-pages';
import { adminPages } from './admin-pages';
import { cannedPages } from './canned/controller';
import { queuePages } from './agent/queue/controller';
import { csatPages } from './csat/controller';
import { PORTAL_DIR } from './i18n';
import { pageKit, type PagesDeps } from './kit';
import { portalPages } from './portal-pages';
import { profilePages } from './profile-pages';
import { createPageRenderer } from './render';
import { reportPages } from './reports/controller';
import { requestPages } from './request-pages';

/**
 * The portal and the agent console: server-rendered pages (handlebars), in French or English,
 * that work without JavaScript. They call the services as the API does, with the caller's
 * identity signed by the gateway; the API under /api/ is not theirs.
 */
export function mountPages(app: Express, base: Omit<PagesDeps, 'renderer'>): void {
  const deps: PagesDeps = { ...base, renderer: createPageRenderer() };
  const kit = pageKit(deps);
  app.use('/assets', express.static(join(PORTAL_DIR, 'assets'), { index: false, maxAge: '1h' }));
  app.use(accountPages(kit, deps));
  app.use(portalPages(kit));
  app.use(requestPages(kit));
  app.use(csatPages(kit));
  app.use(profilePages(kit));
  app.use(queuePages(kit));
  app.use(reportPages(kit));
  app.use(cannedPages(kit));
  app.use(adminPages(kit));
  // Any other path: a page for a browser; an API client still gets problem+json.
  app.get(
    /^(?!\/api\/)/,
    (req, _res, next) => (req.accepts(['json', 'html']) === 'html' ? next() : next('route')),
    kit.page('public', async (ctx) => ctx.render('not-found', { title: ctx.t('not-found.title') }, 404)),
  );
}
