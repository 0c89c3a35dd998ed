import { createLogger, type Logger } from '@woop/service-kit';
import { loadIdentityConfig } from './config';
import { identityModels, type IdentityModels, type UserDoc } from './model/database';
import { identityEvent, userFacts } from './model/facts';
import { hashPassword } from './model/passwords';
import { connectMongo } from '@woop/service-kit';

/**
 * `npm run seed`: demo organisations and people for a local portal (idempotent: existing
 * addresses are left as they are). Every demo account has the password below: local use only.
 */
export const DEMO_PASSWORD = 'Woop-demo-2026!';

export const DEMO_ORGANIZATIONS = [
  { _id: 'org-enseigne-demo', name: 'Enseigne Démo', kind: 'retailer' as const, emailDomains: ['enseigne.example'] },
  {
    _id: 'org-transports-demo',
    name: 'Transports Démo',
    kind: 'carrier' as const,
    emailDomains: ['transports.example'],
  },
];

export const DEMO_USERS: Array<
  Pick<UserDoc, '_id' | 'email' | 'fullName' | 'role' | 'orgAdmin' | 'teams'> & { organizationId?: string }
> = [
  {
    _id: 'user-claire',
    email: 'claire@enseigne.example',
    fullName: 'Claire Martin',
    role: 'customer',
    organizationId: 'org-enseigne-demo',
    orgAdmin: true,
    teams: [],
  },
  {
    _id: 'user-hugo',
    email: 'hugo@enseigne.example',
    fullName: 'Hugo Bernard',
    role: 'customer',
    organizationId: 'org-enseigne-demo',
    orgAdmin: false,
    teams: [],
  },
  {
    _id: 'user-ines',
    email: 'ines@transports.example',
    fullName: 'Inès Petit',
    role: 'customer',
    organizationId: 'org-transports-demo',
    orgAdmin: true,
    teams: [],
  },
  {
    _id: 'user-paul',
    email: 'paul@woop.example',
    fullName: 'Paul Agent',
    role: 'agent',
    orgAdmin: false,
    teams: ['support'],
  },
  {
    _id: 'user-sarah',
    email: 'sarah@woop.example',
    fullName: 'Sarah Sécurité',
    role: 'agent',
    orgAdmin: false,
    teams: ['security', 'support'],
  },
  {
    _id: 'user-dora',
    email: 'dora@woop.example',
    fullName: 'Dora DPO',
    role: 'agent',
    orgAdmin: false,
    teams: ['dpo'],
  },
  {
    _id: 'user-admin',
    email: 'admin@woop.example',
    fullName: 'Alice Admin',
    role: 'admin',
    orgAdmin: false,
    teams: [],
  },
];

/** Creates the demo organisations and accounts (or `users`: tests add people of their own), once. */
export async function seed(models: IdentityModels, logger: Logger, users = DEMO_USERS): Promise<void> {
  for (const org of DEMO_ORGANIZATIONS) {
    if (await models.Organization.exists({ _id: org._id })) continue;
    await models.Organization.create({
      ...org,
      outbox: [identityEvent('organization.created', org._id, { organizationId: org._id, ...org })],
    });
    logger.info({ organization: org.name }, 'demo organisation created');
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of users) {
    if (await models.User.exists({ email: u.email })) continue;
    const user: UserDoc = {
      ...u,
      passwordHash,
      locale: 'fr',
      status: 'active',
      outbox: [],
      createdAt: new Date(),
      updatedAt: new Date(),
    };
    await models.User.create({ ...user, outbox: [identityEvent('user.registered', u._id, { user: userFacts(user) })] });
    logger.info({ email: u.email, role: u.role }, 'demo user created');
  }
}

if (require.main === module) {
  const config = loadIdentityConfig();
  const logger = createLogger('seed', config.LOG_LEVEL);
  const mongo = connectMongo(config.MONGODB_URI, config.MONGODB_DB, logger);
  mongo.connected
    .then(async () => {
      const models = identityModels(mongo.connection);
      await Promise.all(Object.values(models).map((m) => m.init()));
      await seed(models, logger);
      await mongo.close();
    })
    .catch((err) => {
      logger.error({ err }, 'seed failed');
      process.exit(1);
    });
}
