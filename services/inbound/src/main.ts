import { tracing } from './instrument';
import { runService } from '@woop/service-kit';
import { loadInboundConfig } from './config';
import { inboundService } from './service';

const config = loadInboundConfig();

void runService({
  name: 'inbound',
  config,
  port: config.INBOUND_PORT,
  tracing,
  setup: (logger) => inboundService(config, logger).parts,
}).catch((err) => {
  console.error('inbound failed to start', err);
  process.exit(1);
});
