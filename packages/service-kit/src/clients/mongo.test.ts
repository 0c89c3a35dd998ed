import { isDuplicateKey } from './mongo';

describe('isDuplicateKey', () => {
  it("recognises MongoDB's duplicate key error, on an insert or an update", () => {
    expect(isDuplicateKey(Object.assign(new Error('E11000 duplicate key error collection'), { code: 11000 }))).toBe(
      true,
    );
  });

  it("recognises FerretDB's unique-index violation on an update (InternalError, code 1)", () => {
    const err = Object.assign(new Error('UNIQUE constraint failed: organizations.name'), { code: 1 });
    expect(isDuplicateKey(err)).toBe(true);
  });

  it('recognises the same violation from FerretDB on PostgreSQL (SQLSTATE 23505)', () => {
    // The message FerretDB 1.24 gave for an update breaking a unique index on PostgreSQL 15.
    const message =
      '[msg_update.go:133 handler.(*Handler).updateDocument] [collection.go:218 postgresql.(*collection).UpdateAll.func1] ' +
      'ERROR: duplicate key value violates unique constraint "organizations_6bd6ea4d_name_1_idx" (SQLSTATE 23505)';
    expect(isDuplicateKey(Object.assign(new Error(message), { code: 1 }))).toBe(true);
    expect(isDuplicateKey(Object.assign(new Error('(SQLSTATE 23503) foreign key'), { code: 1 }))).toBe(false);
  });

  it('leaves every other error alone', () => {
    expect(isDuplicateKey(Object.assign(new Error('some other internal error'), { code: 1 }))).toBe(false);
    expect(isDuplicateKey(Object.assign(new Error('not primary'), { code: 10107 }))).toBe(false);
    expect(isDuplicateKey(new Error('E11000 in a message only'))).toBe(false);
    expect(isDuplicateKey(undefined)).toBe(false);
    expect(isDuplicateKey('11000')).toBe(false);
  });
});
