import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIORITIES, REQUEST_TYPES, TICKET_STATUSES, ticketFormSchema } from '@woop/contracts';
import { PARIS_OFFICE_CALENDAR } from '@woop/ticket-domain';
import { API_ROUTES } from '../service';
import { clockView, STAFF_FORMS } from './agent-view';
import { formErrors, hasText, LOCALES, PORTAL_DIR, translator } from './i18n';
import { safeNext, type PageContext } from './kit';
import { formToFields, parisLocalToIso } from './portal-pages';
import { createPageRenderer } from './render';
import { CUSTOMER_ACTIONS } from './request-pages';

const TEMPLATES = join(PORTAL_DIR, 'templates');
const templateFiles = ['layouts', 'partials', 'pages'].flatMap((dir) =>
  readdirSync(join(TEMPLATES, dir)).map((f) => join(TEMPLATES, dir, f)),
);

describe('message catalogues', () => {
  it('have the same keys in French and English', () => {
    const keys = (locale: string) =>
      readdirSync(join(PORTAL_DIR, 'locales', locale))
        .flatMap((f) => Object.keys(JSON.parse(readFileSync(join(PORTAL_DIR, 'locales', locale, f), 'utf8')) as object))
        .sort();
    expect(keys('en')).toEqual(keys('fr'));
  });

  it('hold every text a template names', () => {
    const used = new Set<string>();
    for (const file of templateFiles) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\(?\bt "([a-z0-9._-]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    // A plural exists as `key_one` / `key_other` (i18next picks one from `count`).
    const exists = (l: (typeof LOCALES)[number], k: string) => hasText(l, k) || hasText(l, `${k}_other`);
    const missing = LOCALES.flatMap((l) => [...used].filter((k) => !exists(l, k)).map((k) => `${l}:${k}`));
    expect(missing).toEqual([]);
  });

  it('hold every status, priority and action label, and a sentence after each action', () => {
    const keys = [
      ...TICKET_STATUSES.map((s) => `status.${s}`),
      ...TICKET_STATUSES.filter((s) => s !== 'open').map((s) => `requests.status-${s}`),
      ...PRIORITIES.map((p) => `priority.${p}`),
      ...[...Object.keys(CUSTOMER_ACTIONS), ...Object.keys(STAFF_FORMS)].flatMap((a) => [`action.${a}`, `done.${a}`]),
      ...Object.entries(CUSTOMER_ACTIONS).flatMap(([a, d]) =>
        d.needs ? [`action.${a}.field`] : [`action.${a}.confirm`],
      ),
    ];
    const missing = LOCALES.flatMap((l) => keys.filter((k) => !hasText(l, k)).map((k) => `${l}:${k}`));
    expect(missing).toEqual([]);
  });

  it('say every problem code the API documents as a sentence, so a page never shows a code', () => {
    const codes = new Set(['validation_failed', 'origin_not_allowed', 'csrf_failed', 'rate_limited', 'internal_error']);
    codes.add('service_unavailable');
    for (const route of API_ROUTES)
      for (const list of Object.values(route.errors ?? {})) list.forEach((c) => codes.add(c));
    const missing = LOCALES.flatMap((l) => [...codes].filter((c) => !hasText(l, `error.${c}`)).map((c) => `${l}:${c}`));
    expect(missing).toEqual([]);
  });
});

describe('forms', () => {
  const bug = REQUEST_TYPES.find((t) => t.key === 'report-a-bug')!;

  it('turn a Paris wall-clock time into an instant with the offset of that day', () => {
    expect(parisLocalToIso('2026-01-15T10:00')).toBe('2026-01-15T10:00:00+01:00');
    expect(parisLocalToIso('2026-07-15T10:00')).toBe('2026-07-15T10:00:00+02:00');
    expect(parisLocalToIso('15/01/2026 10:00')).toBeUndefined();
  });

  it('leave empty optional fields out and split lists one per line', () => {
    const delivery = REQUEST_TYPES.find((t) => t.key === 'delivery-request')!;
    const list = delivery.fields.find((f) => f.type === 'list')!;
    const fields = formToFields(delivery, { [`fields.${list.key}`]: ' CMD-1 \r\n\r\nCMD-2 ', 'fields.unknown': 'x' });
    expect(fields).toEqual({ [list.key]: ['CMD-1', 'CMD-2'] });
    expect(formToFields(bug, { 'fields.occurredAt': '' })).toEqual({});
  });

  it("say what is wrong next to each field, in the page's language", () => {
    const input = { summary: '', description: '', fields: formToFields(bug, {}) };
    const fr = formErrors(ticketFormSchema(bug), input, 'fr');
    expect(fr.errors?.summary).toBe('Ce champ est obligatoire.');
    expect(fr.errors?.['fields.stepsToReproduce']).toBe('Ce champ est obligatoire.');
    const en = formErrors(ticketFormSchema(bug), { ...input, summary: 'x'.repeat(300) }, 'en');
    expect(en.errors?.summary).toMatch(/300|255|too big/i);
    expect(en.errors?.summary).not.toBe(fr.errors?.summary);
  });

  it('go back after login only to a path of this portal', () => {
    expect(safeNext('/requests/SUPPORT-12?action=acceptResolution')).toBe(
      '/requests/SUPPORT-12?action=acceptResolution',
    );
    for (const bad of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'requests', undefined, 42]) {
      expect(safeNext(bad)).toBe('/');
    }
  });
});

describe('pages', () => {
  const renderer = createPageRenderer();

  it('escape what people typed', () => {
    const html = renderer.render('requests', {
      locale: 'fr',
      rows: [
        {
          reference: 'SUPPORT-1',
          summary: '<script>alert(1)</script>',
          status: 'in_progress',
          requester: { id: 'u', name: '<b>Eve</b>' },
          requestType: 'report-a-bug',
        },
      ],
      query: { status: 'open', scope: 'all' },
      statuses: ['open'],
      scopes: ['all'],
      requestTypes: [],
    });
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('EN COURS');
  });

  it('are in English when asked, statuses in capitals as the guide shows them', () => {
    const html = renderer.render('requests', {
      locale: 'en',
      rows: [{ reference: 'SUPPORT-2', summary: 's', status: 'closed', requester: { id: 'u', name: 'n' } }],
      query: { status: 'open', scope: 'all' },
      statuses: ['open'],
      scopes: ['all'],
      requestTypes: [],
    });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(translator('en')('requests.col-requester'));
    expect(html).toContain('CLOSED');
  });
});

describe("the agent's SLA clocks", () => {
  const ctx = { locale: 'fr', t: translator('fr') } as unknown as PageContext;

  it('count the business time left on the calendar while a clock runs, over a weekend', () => {
    // Running since Friday 17:00 Paris; on Monday 10:00, two business hours are gone (Fri 17–18, Mon 9–10).
    const clock = { targetMinutes: 180, consumedMinutes: 0, runningSince: '2026-11-27T16:00:00.000Z' };
    const view = clockView(ctx, clock, PARIS_OFFICE_CALENDAR, new Date('2026-11-30T09:00:00.000Z'));
    expect(view.state).toBe('running');
    expect(view.left).toBe('1 h 00');
  });

  it('stop counting while paused, and say when a clock was met', () => {
    const paused = clockView(ctx, { targetMinutes: 540, consumedMinutes: 90 }, PARIS_OFFICE_CALENDAR);
    expect([paused.state, paused.left, paused.label]).toEqual(['paused', '7 h 30', 'En pause']);
    const met = clockView(
      ctx,
      {
        targetMinutes: 60,
        consumedMinutes: 10,
        runningSince: '2026-11-27T16:00:00.000Z',
        metAt: '2026-11-27T16:10:00.000Z',
      },
      PARIS_OFFICE_CALENDAR,
    );
    expect([met.state, met.left]).toEqual(['met', '0 h 50']);
  });

  it('round the time left to whole minutes before splitting it into hours (never "60" minutes)', () => {
    // 4 h target, running since Monday 9:00:24 Paris, read at 10:00: 59.6 business minutes used,
    // 180.4 left, which reads "3 h 00"; and 59.6 left reads "1 h 00", not "0 h 60".
    const running = { targetMinutes: 240, consumedMinutes: 0, runningSince: '2026-11-30T08:00:24.000Z' };
    expect(clockView(ctx, running, PARIS_OFFICE_CALENDAR, new Date('2026-11-30T09:00:00.000Z')).left).toBe('3 h 00');
    expect(clockView(ctx, { targetMinutes: 240, consumedMinutes: 180.4 }, PARIS_OFFICE_CALENDAR).left).toBe('1 h 00');
    expect(clockView(ctx, { targetMinutes: 240, consumedMinutes: 0.4 }, PARIS_OFFICE_CALENDAR).left).toBe('4 h 00');
  });
});
