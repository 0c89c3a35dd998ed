import type { Router } from 'express';
import { createApiTokenBody } from '@woop/contracts';
import { parseInput } from '@woop/service-kit';
import type { RouteContext } from './context';
import { publicApiToken } from './presenters';

/** The caller's API tokens: listed, made (the secret shown once) and revoked. */
export function apiTokenRoutes(ctx: RouteContext, r: Router): void {
  const { apiTokens, caller, param } = ctx;
  r.get('/api-tokens', async (req, res) => {
    const tokens = await apiTokens.list(caller(req));
    res.json({ items: tokens.map((t) => publicApiToken(t, apiTokens.expiresAt(t))) });
  });
  r.post('/api-tokens', async (req, res) => {
    res.status(201).json(await apiTokens.create(caller(req), parseInput(createApiTokenBody, req.body)));
  });
  r.delete('/api-tokens/:tokenId', async (req, res) => {
    await apiTokens.revoke(caller(req), param(req, 'tokenId'));
    res.status(204).end();
  });
}
