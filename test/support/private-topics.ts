import { randomBytes } from 'node:crypto';

/**
 * Imported first by a test file that needs topics of its own (a configuration of its own, a
 * search of everything on them): a namespace no other run uses, set before the contracts load
 * (`TOPIC_NAMESPACE` is read once). The test creates them (`ensureTopics`).
 */
process.env.WOOP_TOPIC_NAMESPACE = `t${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
