import type { Router } from 'express';
import { inviteBody, listUsersQuery, updateUserBody } from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import type { RouteContext } from './context';
import { publicUser } from './presenters';

/** User management: listing, invitation, changes, deactivation and erasure (model/users.ts says who may). */
export function userRoutes(ctx: RouteContext, r: Router): void {
  const { users, caller, param } = ctx;
  r.get('/users', async (req, res) => {
    const query = parseInput(listUsersQuery, req.query, 'query');
    res.json({ items: (await users.list(caller(req), query)).map(publicUser) });
  });
  r.post('/users', async (req, res) => {
    const user = await users.invite(caller(req), parseInput(inviteBody, req.body));
    res.status(201).location(`/v1/users/${user._id}`).json(publicUser(user));
  });
  r.get('/users/:id', async (req, res) => {
    res.json(publicUser(await users.get(caller(req), param(req, 'id'))));
  });
  r.patch('/users/:id', async (req, res) => {
    const changes = parseInput(updateUserBody, req.body);
    res.json(publicUser(await users.update(caller(req), param(req, 'id'), changes)));
  });
  r.post('/users/:id/deactivate', async (req, res) => {
    res.json(publicUser(await users.setActive(caller(req), param(req, 'id'), false)));
  });
  r.post('/users/:id/reactivate', async (req, res) => {
    res.json(publicUser(await users.setActive(caller(req), param(req, 'id'), true)));
  });
  r.post('/users/:id/erase', async (req, res) => {
    await users.erase(caller(req), param(req, 'id'));
    res.status(204).end();
  });
}
