/**
 * Loaded before every integration and e2e test file (jest `setupFiles`), and by the global setup:
 * the tests publish and consume on their own Kafka topics (`test.woop.*`), so a local stack started
 * with `npm start` on the same broker never emails the tests' events, nor do tests read its own.
 * Services the tests spawn inherit it from the environment. A file that imports
 * `support/private-topics` moves to a namespace of its own; the next file of the same jest
 * worker starts again from the one the run began with (kept in WOOP_TEST_TOPIC_NAMESPACE).
 */
process.env.WOOP_TEST_TOPIC_NAMESPACE ??= process.env.WOOP_TOPIC_NAMESPACE ?? 'test';
process.env.WOOP_TOPIC_NAMESPACE = process.env.WOOP_TEST_TOPIC_NAMESPACE;
