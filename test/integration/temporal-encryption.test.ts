import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { REQUEST_TYPES, ticketWorkflowId } from '@woop/contracts';
import { startTicketsApi, type TicketsApi } from '../support/tickets-api-harness';
import { validFields } from '../support/forms';
import { uniqueId } from '../support/ids';
import { person } from '../support/people';

/**
 * Finding 5 of issue 23: what the API hides must not be readable in Temporal (its database,
 * its UI, its CLI). A request goes through the real tickets API and worker; its history is
 * then read raw, without the codec, as the Temporal UI or `temporal workflow show` reads it,
 * and searched byte for byte for the description, the internal note, the addresses and names.
 */
describe('Temporal holds ticket content encrypted', () => {
  let api: TicketsApi;
  let connection: Connection;
  beforeAll(async () => {
    api = await startTicketsApi();
    connection = await Connection.connect({ address: api.config.TEMPORAL_ADDRESS });
  });
  afterAll(async () => {
    await connection?.close();
    await api?.stop();
  });

  /** Every event of the workflow's history as the server sends it: protobuf bytes, no codec. */
  async function rawHistory(workflowId: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.getWorkflowExecutionHistory({
        namespace: api.config.TEMPORAL_NAMESPACE,
        execution: { workflowId },
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      chunks.push(
        Buffer.from(temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(page).finish()),
      );
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return Buffer.concat(chunks);
  }

  it('a confidential report, its description, internal note, addresses and names are nowhere in the raw history; the API shows them', async () => {
    const marker = uniqueId('secret').replace(/-/g, '');
    const reporter = person(`reporter-${marker}`, 'customer', {
      organizationId: 'org-enseigne',
      name: `Zoé Rapporteuse ${marker}`,
      email: `zoe.${marker}@example.test`,
    });
    const sarah = person('sarah', 'agent', { teams: ['security'], name: `Sarah Sécu ${marker}` });
    await api.registerPeople([reporter, sarah]);
    const type = REQUEST_TYPES.find((t) => t.key === 'report-a-vulnerability')!;
    const description = `Injection SQL dans /login, preuve envoyée à ${marker}@attacker.test`;
    const created = await api.call(reporter, 'POST', '/tickets', {
      requestType: type.key,
      portal: 'retailer',
      summary: `Faille ${marker}`,
      description,
      fields: validFields(type),
    });
    expect(created.status).toBe(201);
    const { reference } = created.body.ticket as { reference: string };
    const note = `Note interne : rappeler ${marker}.ops@example.test`;
    const noted = await api.call(sarah, 'POST', `/tickets/${reference}/actions/addInternalNote`, {
      payload: { body: note },
    });
    expect(noted.status).toBe(200);
    const comment = `Commentaire ${marker} du rapporteur`;
    expect(
      (await api.call(reporter, 'POST', `/tickets/${reference}/actions/comment`, { payload: { body: comment } }))
        .status,
    ).toBe(200);

    // The API still gives the people who may see them the plaintext.
    const seen = await api.call(sarah, 'GET', `/tickets/${reference}`);
    const text = JSON.stringify(seen.body);
    for (const plain of [description, note, comment, `Faille ${marker}`]) expect(text).toContain(plain);

    const raw = await rawHistory(ticketWorkflowId(reference));
    expect(raw.length).toBeGreaterThan(1_000);
    // The reference and search attributes stay readable (they are indexed, and name no one).
    expect(raw.includes(reference)).toBe(true);
    // The marker is in every secret (description, summary, note, comment, names, addresses):
    // one search covers them all, in UTF-8 and in the UTF-16 of any string a tool could store.
    for (const needle of [marker, 'Injection SQL', 'Rapporteuse', 'example.test']) {
      expect({ needle, found: raw.includes(Buffer.from(needle, 'utf8')) }).toEqual({ needle, found: false });
      expect(raw.includes(Buffer.from(needle, 'utf16le'))).toBe(false);
    }
    expect(raw.includes('binary/encrypted')).toBe(true);
  });
});
