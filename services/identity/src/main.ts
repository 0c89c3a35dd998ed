import { tracing } from './instrument';
import { runService } from '@woop/service-kit';
import { loadIdentityConfig } from './config';
import { identityService } from './service';

const config = loadIdentityConfig();

void runService({
  name: 'identity',
  config,
  port: config.IDENTITY_PORT,
  tracing,
  setup: (logger) => identityService(config, logger).parts,
}).catch((err) => {
  console.error('identity failed to start', err);
  process.exit(1);
});
