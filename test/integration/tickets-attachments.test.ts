import { randomBytes } from 'node:crypto';
import { ATTACHMENT_MAX_BYTES, type AttachmentMetadata } from '@woop/contracts';
import { eventually } from '../support/eventually';
import { person } from '../support/people';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';

const claire = person('claire', 'customer', { organizationId: 'org-enseigne' });
const hugo = person('hugo', 'customer', { organizationId: 'org-enseigne' });
const ines = person('ines', 'customer', { organizationId: 'org-transports' });
const paul = person('paul', 'agent', { teams: ['support'] });

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

describe('ticket attachments', () => {
  let api: TicketsApi;
  let reference: string;
  beforeAll(async () => {
    api = await startTicketsApi();
    reference = await newTicket();
  });
  afterAll(() => api.stop());

  async function newTicket(): Promise<string> {
    const res = await api.call(claire, 'POST', '/tickets', {
      requestType: 'ask-a-question',
      portal: 'retailer',
      summary: 'Une question, avec capture',
    });
    expect(res.status).toBe(201);
    return (res.body.ticket as { reference: string }).reference;
  }
  const upload = (who: typeof claire, ref: string, filename: string, type: string, data: Uint8Array) =>
    api.send(who, 'POST', `/tickets/${ref}/attachments?filename=${encodeURIComponent(filename)}`, data, {
      'content-type': type,
    });
  const problem = async (res: Response) => ({
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as { code: string },
  });

  it('stores a file with the ticket, lists it, and gives the same bytes back', async () => {
    const filename = "capture d'écran (1).png";
    const res = await upload(claire, reference, filename, 'image/png', PNG);
    expect(res.status).toBe(201);
    const created = (await res.json()) as AttachmentMetadata;
    expect(created).toMatchObject({
      reference,
      filename,
      contentType: 'image/png',
      size: PNG.length,
      uploadedBy: { id: 'claire', role: 'customer' },
    });
    expect(created).not.toHaveProperty('data');
    expect(res.headers.get('location')).toBe(`/v1/tickets/${reference}/attachments/${created.id}`);

    // Someone of the same organisation and the agent see it too.
    const text = await upload(paul, reference, 'notes.txt', 'text/plain; charset=utf-8', Buffer.from('bonjour\n'));
    expect(text.status).toBe(201);
    for (const who of [hugo, paul]) {
      const list = await api.call(who, 'GET', `/tickets/${reference}/attachments`);
      expect(list.status).toBe(200);
      expect((list.body.items as AttachmentMetadata[]).map((a) => [a.filename, a.contentType])).toEqual([
        [filename, 'image/png'],
        ['notes.txt', 'text/plain'],
      ]);
    }

    // The activity stream says who added which file, for everyone who sees the ticket.
    const detail = await api.call(hugo, 'GET', `/tickets/${reference}`);
    const entries = (
      detail.body.ticket as { activity: Array<{ kind: string; data?: Record<string, unknown> }> }
    ).activity
      .filter((e) => e.kind === 'attachment')
      .map((e) => e.data?.filename);
    expect(entries).toEqual([filename, 'notes.txt']);

    const file = await api.send(hugo, 'GET', `/tickets/${reference}/attachments/${created.id}`);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-disposition')).toBe(
      "attachment; filename*=UTF-8''capture%20d%27%C3%A9cran%20%281%29.png",
    );
  });

  it('refuses types not accepted, and files whose content is not their type', async () => {
    const exe = await problem(await upload(claire, reference, 'tool.exe', 'application/x-msdownload', randomBytes(64)));
    expect(exe).toMatchObject({ status: 415, body: { code: 'unsupported_media_type' } });
    expect(exe.type).toMatch(/^application\/problem\+json/);
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    for (const [type, name] of [
      ['image/png', 'fake.png'],
      ['image/jpeg', 'fake.jpg'],
      ['image/gif', 'fake.gif'],
      ['application/pdf', 'fake.pdf'],
    ]) {
      expect(await problem(await upload(claire, reference, name!, type!, html))).toMatchObject({
        status: 415,
        body: { code: 'unsupported_media_type' },
      });
    }
    expect(
      await problem(await upload(claire, reference, 'doc.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n'))),
    ).toMatchObject({ status: 201 });
  });

  it("refuses a name whose extension is not its type's, and a text that is a program or an image", async () => {
    const text = Buffer.from('<html><hta:application/><script>alert(1)</script></html>');
    for (const [name, type] of [
      ['invoice.hta', 'text/plain'],
      ['invoice.txt.hta', 'text/plain'],
      ['invoice', 'text/plain'],
      ['invoice.', 'text/plain'],
      ['photo.png', 'text/plain'],
      ['data.csv', 'text/plain'],
      ['report.exe', 'application/pdf'],
      ['sheet.docx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ]) {
      const refused = await problem(await upload(claire, reference, name!, type!, text));
      expect([name, refused]).toMatchObject([name, { status: 415, body: { code: 'file_name_not_allowed' } }]);
      expect(refused.type).toMatch(/^application\/problem\+json/);
    }
    // Declared as text, named as text, but its bytes are an image or a Windows program.
    for (const data of [PNG, Buffer.concat([Buffer.from('MZ'), randomBytes(62)])]) {
      expect(await problem(await upload(claire, reference, 'notes.txt', 'text/plain', data))).toMatchObject({
        status: 415,
        body: { code: 'unsupported_media_type' },
      });
    }
    // Any case, either extension of its type.
    for (const [name, type, data] of [
      ['Facture.PDF', 'application/pdf', Buffer.from('%PDF-1.7\n')],
      ['photo.JPEG', 'image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0])],
      ['journal.log', 'text/plain', Buffer.from('ok\n')],
    ] as const) {
      expect([name, (await upload(claire, reference, name, type, data)).status]).toEqual([name, 201]);
    }
  });

  it('refuses a file too big, an empty one, and one without a name', async () => {
    const big = await problem(
      await upload(claire, reference, 'big.csv', 'text/csv', Buffer.alloc(ATTACHMENT_MAX_BYTES + 1, 'a')),
    );
    expect(big).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    expect(big.type).toMatch(/^application\/problem\+json/);
    // Exactly at the limit is fine, and comes back whole.
    const max = Buffer.alloc(ATTACHMENT_MAX_BYTES, 'a');
    const stored = await upload(claire, reference, 'max.csv', 'text/csv', max);
    expect(stored.status).toBe(201);
    const { id } = (await stored.json()) as AttachmentMetadata;
    const back = await api.send(claire, 'GET', `/tickets/${reference}/attachments/${id}`);
    expect(Buffer.from(await back.arrayBuffer()).equals(max)).toBe(true);
    expect(await problem(await upload(claire, reference, 'empty.txt', 'text/plain', Buffer.alloc(0)))).toMatchObject({
      status: 400,
      body: { code: 'empty_file' },
    });
    const unnamed = await api.send(claire, 'POST', `/tickets/${reference}/attachments`, PNG, {
      'content-type': 'image/png',
    });
    expect(await problem(unnamed)).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    const slashed = await upload(claire, reference, '../etc/passwd', 'text/plain', Buffer.from('x'));
    expect(slashed.status).toBe(400);
  });

  it("hides a ticket's files from who may not see it", async () => {
    const res = await upload(claire, reference, 'secret.png', 'image/png', PNG);
    const { id } = (await res.json()) as AttachmentMetadata;
    expect(await problem(await upload(ines, reference, 'x.png', 'image/png', PNG))).toMatchObject({
      status: 404,
      body: { code: 'ticket_not_found' },
    });
    expect((await api.call(ines, 'GET', `/tickets/${reference}/attachments`)).status).toBe(404);
    expect((await api.send(ines, 'GET', `/tickets/${reference}/attachments/${id}`)).status).toBe(404);
    expect((await api.send(undefined, 'GET', `/tickets/${reference}/attachments/${id}`)).status).toBe(401);

    // An attachment is found only under its own ticket.
    const other = await newTicket();
    expect(await problem(await api.send(claire, 'GET', `/tickets/${other}/attachments/${id}`))).toMatchObject({
      status: 404,
      body: { code: 'attachment_not_found' },
    });
    expect((await api.call(claire, 'GET', `/tickets/${other}/attachments`)).body.items).toEqual([]);
    expect((await api.send(claire, 'GET', `/tickets/${reference}/attachments/${'0'.repeat(24)}`)).status).toBe(404);
  });

  it('takes no more files once the ticket is closed, but still serves the old ones', async () => {
    const ref = await newTicket();
    const before = (await (await upload(claire, ref, 'avant.png', 'image/png', PNG)).json()) as AttachmentMetadata;
    const act = (who: typeof claire, action: string, payload = {}) =>
      api.call(who, 'POST', `/tickets/${ref}/actions/${action}`, { payload });
    expect((await act(paul, 'reject', { reason: 'Hors périmètre' })).status).toBe(200);
    expect(await act(claire, 'acceptRejection')).toMatchObject({ status: 200, body: { ticket: { status: 'closed' } } });
    await eventually(
      () => api.call(claire, 'GET', `/tickets/${ref}`),
      (r) => (r.body.ticket as { status: string }).status === 'closed',
    );
    expect(await problem(await upload(claire, ref, 'après.png', 'image/png', PNG))).toMatchObject({
      status: 409,
      body: { code: 'request_closed' },
    });
    expect((await api.send(claire, 'GET', `/tickets/${ref}/attachments/${before.id}`)).status).toBe(200);
  });
});
