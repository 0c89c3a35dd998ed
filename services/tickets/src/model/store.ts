import { REQUEST_TYPES, type RequestTypeDefinition } from '@woop/contracts';
import { isDuplicateKey } from '@woop/service-kit';
import type { TicketModels } from './database';
import { seedRequestTypeVersions } from './request-type-versions';

/** The request-type catalogue's current definitions, and ticket references (SUPPORT-N). */
type StoredType = Omit<RequestTypeDefinition, 'key'> & { _id: string };

// The store leaves out empty arrays (a type without fields of its own): put them back.
const fromDoc = ({ _id, ...rest }: StoredType): RequestTypeDefinition => ({
  ...rest,
  key: _id,
  fields: rest.fields ?? [],
});

/** Seeds the catalogue: types not there yet are added, edited ones are left as the admin made them. */
export async function seedCatalogue(models: TicketModels): Promise<void> {
  for (const type of REQUEST_TYPES) {
    await models.RequestType.updateOne({ _id: type.key }, { $setOnInsert: { ...type } }, { upsert: true });
  }
  await seedRequestTypeVersions(models);
}

export async function requestType(models: TicketModels, key: string): Promise<RequestTypeDefinition | undefined> {
  const doc = await models.RequestType.findById(key).lean();
  if (!doc) return undefined;
  return fromDoc(doc as unknown as StoredType);
}

export async function listRequestTypes(models: TicketModels): Promise<RequestTypeDefinition[]> {
  const docs = await models.RequestType.find().lean();
  const order = new Map(REQUEST_TYPES.map((t, i) => [t.key, i]));
  return (docs as unknown as StoredType[])
    .map(fromDoc)
    .sort((a, b) => (order.get(a.key) ?? 99) - (order.get(b.key) ?? 99));
}

/**
 * SUPPORT-N, never handed out twice, in order, safe with many copies of the service. Each
 * number is claimed by inserting it under a unique _id (an insert either wins or collides);
 * the counter only says where to start looking. A single $inc would be simpler, but FerretDB's
 * findAndModify on SQLite gave two concurrent callers the same number in our test.
 */
export async function ensureReferenceFloor(models: TicketModels, floor: number): Promise<void> {
  await models.Counter.updateOne({ _id: 'ticket-reference' }, { $max: { value: floor } }, { upsert: true });
}

export async function nextReference(models: TicketModels): Promise<string> {
  let candidate = ((await models.Counter.findById('ticket-reference').lean())?.value ?? 0) + 1;
  for (;;) {
    try {
      await models.Reference.create({ _id: candidate });
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      candidate++;
    }
  }
  await models.Counter.updateOne({ _id: 'ticket-reference' }, { $max: { value: candidate } }, { upsert: true });
  return `SUPPORT-${candidate}`;
}
