import type { Router } from 'express';
import { createOrganizationBody, updateOrganizationBody } from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import type { RouteContext } from './context';
import { publicOrganization } from './presenters';

/** The organisations: listed and read as each caller may see them, created and edited by admins. */
export function organizationRoutes(ctx: RouteContext, r: Router): void {
  const { organizations, caller, param } = ctx;
  r.get('/organizations', async (req, res) => {
    res.json({ items: (await organizations.list(caller(req))).map(publicOrganization) });
  });
  r.post('/organizations', async (req, res) => {
    const org = await organizations.create(caller(req), parseInput(createOrganizationBody, req.body));
    res.status(201).location(`/v1/organizations/${org._id}`).json(publicOrganization(org));
  });
  r.get('/organizations/:id', async (req, res) => {
    res.json(publicOrganization(await organizations.get(caller(req), param(req, 'id'))));
  });
  r.patch('/organizations/:id', async (req, res) => {
    const changes = parseInput(updateOrganizationBody, req.body);
    res.json(publicOrganization(await organizations.update(caller(req), param(req, 'id'), changes)));
  });
}
