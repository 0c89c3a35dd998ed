import type { RequestTypeDefinition } from '@woop/contracts';
import { isDuplicateKey } from '@woop/service-kit';
import type { TicketModels } from './database';

/**
 * Versions of the request types (`request_type_versions`, `_id` `key@version`): each edit of
 * the catalogue makes one, never changed afterwards, so a ticket renders with the version it
 * was created under.
 */
export type RequestTypeInput = Omit<RequestTypeDefinition, 'key' | 'version'>;
export interface Editor {
  id: string;
  name: string;
}

const versionId = (key: string, version: number) => `${key}@${version}`;

type StoredVersion = RequestTypeDefinition & { _id: string; createdAt?: Date; createdBy?: Editor };

// The store leaves out empty arrays (a type without fields of its own): put them back.
function definitionOf(doc: StoredVersion): RequestTypeDefinition {
  const { _id: _ignored, createdAt: _at, createdBy: _by, ...definition } = doc;
  return { ...definition, fields: definition.fields ?? [] };
}

export async function requestTypeVersion(
  models: TicketModels,
  key: string,
  version: number,
): Promise<RequestTypeDefinition | undefined> {
  const doc = await models.RequestTypeVersion.findById(versionId(key, version)).lean();
  return doc ? definitionOf(doc as unknown as StoredVersion) : undefined;
}

/** Keeps the version each current definition is at (seeded types, and those stored before versions were kept). */
export async function seedRequestTypeVersions(models: TicketModels): Promise<void> {
  const current = (await models.RequestType.find().lean()) as unknown as Array<StoredVersion>;
  for (const { _id: key, ...definition } of current) {
    const version = definition.version ?? 1;
    await models.RequestTypeVersion.updateOne(
      { _id: versionId(key, version) },
      { $setOnInsert: { ...definition, key, version } },
      { upsert: true },
    ).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
}

/**
 * Stores a new version of a request type (version 1 for a new key) and makes it current.
 * FerretDB on SQLite applies neither findAndModify nor conditional updates atomically, so the
 * version is claimed by inserting `key@version` (an insert wins or collides); the current copy
 * is then brought up to the latest version, re-checked after each write so that a slower
 * writer of an older version cannot leave it behind.
 */
export async function saveRequestType(
  models: TicketModels,
  key: string,
  input: RequestTypeInput,
  by: Editor,
): Promise<RequestTypeDefinition> {
  const current = (await models.RequestType.findById(key).lean()) as { version?: number } | null;
  let version = (current?.version ?? 0) + 1;
  for (;;) {
    try {
      await models.RequestTypeVersion.create({ ...input, _id: versionId(key, version), key, version, createdBy: by });
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      version++;
    }
  }
  await publishLatest(models, key);
  return { ...input, key, version };
}

async function publishLatest(models: TicketModels, key: string): Promise<void> {
  for (;;) {
    const latest = (await models.RequestTypeVersion.findOne({ key })
      .sort({ version: -1 })
      .lean()) as unknown as StoredVersion | null;
    const current = (await models.RequestType.findById(key).lean()) as { version?: number } | null;
    if (!latest || (current?.version ?? 0) >= latest.version) return;
    try {
      await models.RequestType.replaceOne(
        { _id: key, version: { $lt: latest.version } },
        { ...definitionOf(latest), _id: key },
        { upsert: true },
      );
    } catch (err) {
      // A newer version got there first (the upsert collided with it): check again.
      if (!isDuplicateKey(err)) throw err;
    }
  }
}
