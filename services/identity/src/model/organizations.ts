import type { OrganizationKind } from '@woop/contracts';
import { isDuplicateKey, outboxPush, type OutboxRelay, type VerifiedIdentity } from '@woop/service-kit';
import type { IdentityModels, OrganizationDoc } from './database';
import { identityEvent } from './facts';
import { forbidden, notFound, problem } from './problems';
import { newId } from './secrets';

const domainsOf = (domains: string[]) => [...new Set(domains.map((d) => d.toLowerCase()))];
const organizationExists = () => problem('organization_exists', 'An organisation has this name.');

/** Staff see every organisation; a customer only their own. */
export function canSeeOrganization(actor: VerifiedIdentity, organizationId: string | undefined): boolean {
  return actor.role !== 'customer' || (organizationId !== undefined && actor.organizationId === organizationId);
}

/**
 * The organisations (retailers and carriers) and their email domains: admins create and edit
 * them, staff read them all, a customer reads their own. What a caller may not see answers 404.
 */
export class Organizations {
  constructor(
    private readonly m: IdentityModels,
    private readonly relay: OutboxRelay,
  ) {}

  async create(
    actor: VerifiedIdentity,
    input: { name: string; kind: OrganizationKind; emailDomains: string[] },
  ): Promise<OrganizationDoc> {
    if (actor.role !== 'admin') throw forbidden('Only an admin creates organisations.');
    const id = newId();
    const emailDomains = domainsOf(input.emailDomains);
    try {
      const org = await this.m.Organization.create({
        _id: id,
        name: input.name,
        kind: input.kind,
        emailDomains,
        outbox: [
          identityEvent('organization.created', id, {
            organizationId: id,
            name: input.name,
            kind: input.kind,
            emailDomains,
          }),
        ],
      });
      this.relay.kick();
      return org.toObject();
    } catch (err) {
      if (isDuplicateKey(err)) throw organizationExists();
      throw err;
    }
  }

  /** Renames an organisation or replaces its email domains (admins), with its event in the same write. */
  async update(
    actor: VerifiedIdentity,
    id: string,
    changes: { name?: string; emailDomains?: string[] },
  ): Promise<OrganizationDoc> {
    if (actor.role !== 'admin') throw forbidden('Only an admin edits organisations.');
    const org = await this.m.Organization.findById(id).lean();
    if (!org) throw notFound();
    const set = {
      name: changes.name ?? org.name,
      emailDomains: changes.emailDomains ? domainsOf(changes.emailDomains) : org.emailDomains,
    };
    try {
      await this.relay.write(() =>
        this.m.Organization.updateOne(
          { _id: id },
          {
            $set: set,
            $push: outboxPush(
              identityEvent('organization.updated', id, { organizationId: id, kind: org.kind, ...set }),
            ),
          },
        ),
      );
    } catch (err) {
      if (isDuplicateKey(err)) throw organizationExists();
      throw err;
    }
    this.relay.kick();
    return { ...org, ...set };
  }

  async list(actor: VerifiedIdentity): Promise<OrganizationDoc[]> {
    const filter = actor.role === 'customer' ? { _id: actor.organizationId ?? '' } : {};
    return this.m.Organization.find(filter).sort({ name: 1 }).lean();
  }

  async get(actor: VerifiedIdentity, id: string): Promise<OrganizationDoc> {
    if (!canSeeOrganization(actor, id)) throw notFound();
    const org = await this.m.Organization.findById(id).lean();
    if (!org) throw notFound();
    return org;
  }
}
