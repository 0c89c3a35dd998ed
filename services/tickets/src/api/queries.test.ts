import { queryOf } from './queries';

describe('queryOf', () => {
  it('puts top-level equalities to a scalar on top, where FerretDB hands them to SQL', () => {
    expect(
      queryOf([
        { $or: [{ requesterId: 'u1' }, { sharedWithIds: 'u1' }] },
        { requesterId: 'u1' },
        { status: 'open' },
        {},
        { $and: [{ searchText: { $regex: 'colis' } }, { confidential: false }] },
      ]),
    ).toEqual({
      requesterId: 'u1',
      status: 'open',
      confidential: false,
      $and: [{ $or: [{ requesterId: 'u1' }, { sharedWithIds: 'u1' }] }, { searchText: { $regex: 'colis' } }],
    });
  });

  it('leaves under $and what is not such an equality: dotted paths, operators, arrays, a key already set', () => {
    expect(
      queryOf([
        { 'assignment.team': 'support' },
        { status: { $in: ['open', 'assigned'] } },
        { escalationTeams: ['a'] },
        { status: 'open' },
        { status: 'done' },
        { organizationId: 'o', confidential: false },
      ]),
    ).toEqual({
      status: 'open',
      organizationId: 'o',
      confidential: false,
      $and: [
        { 'assignment.team': 'support' },
        { status: { $in: ['open', 'assigned'] } },
        { escalationTeams: ['a'] },
        { status: 'done' },
      ],
    });
    expect(queryOf([])).toEqual({});
    expect(queryOf([{ _id: { $in: [] } }])).toEqual({ $and: [{ _id: { $in: [] } }] });
  });
});
