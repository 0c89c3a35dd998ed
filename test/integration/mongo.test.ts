import { Schema } from 'mongoose';
import { connectMongo, createLogger } from '@woop/service-kit';
import { uniqueId } from '../support/ids';

const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017';

describe('FerretDB through mongoose and the project connection helper', () => {
  const mongo = connectMongo(
    uri,
    uniqueId('test').replace(/-/g, '_'),
    createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent'),
  );
  const Account = mongo.connection.model(
    'Account',
    new Schema({ email: { type: String, required: true, unique: true }, name: String }),
  );

  beforeAll(async () => {
    await mongo.connected;
    await Account.init(); // builds the unique index before the first insert
  });
  afterAll(async () => {
    await mongo.connection.dropDatabase();
    await mongo.close();
  });

  it('stores and reads back a document', async () => {
    await Account.create({ email: 'a@example.com', name: 'Alice' });
    expect((await Account.findOne({ email: 'a@example.com' }).lean())?.name).toBe('Alice');
  });

  it('refuses a duplicate on a unique index with the duplicate-key error, and keeps one row', async () => {
    await Account.create({ email: 'dup@example.com' });
    await expect(Account.create({ email: 'dup@example.com' })).rejects.toMatchObject({ code: 11000 });
    expect(await Account.countDocuments({ email: 'dup@example.com' })).toBe(1);
  });

  it('answers the readiness check', async () => {
    await expect(mongo.readiness.check()).resolves.toBeUndefined();
  });
});
