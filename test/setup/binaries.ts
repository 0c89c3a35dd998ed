import { join, resolve } from 'node:path';

/**
 * The binaries deploy/local puts in its cache (`WOOP_CACHE_DIR`, else `.cache/`), for suites
 * that start a server of their own. The global setup installs them. Versions: keep in step
 * with deploy/local/temporal.sh and ferretdb.sh.
 */
const BIN = join(resolve(process.env.WOOP_CACHE_DIR ?? join(__dirname, '..', '..', '.cache')), 'bin');

/** Temporal CLI (its `server start-dev`, and `workflow show` to record histories). */
export const TEMPORAL_CLI = join(BIN, 'temporal-1.9.1');
export const FERRETDB = join(BIN, 'ferretdb-v1.24.2');
/** Launcher of Temporal's Java time-skipping test server (deploy/local/temporal-test-server.sh). */
export const TEMPORAL_TEST_SERVER = join(BIN, 'temporal-test-server');
