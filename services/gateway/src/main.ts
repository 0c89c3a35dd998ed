import { tracing } from './instrument';
import { runService } from '@woop/service-kit';
import { loadGatewayConfig } from './config';
import { gatewayService } from './service';

const config = loadGatewayConfig();

void runService({
  name: 'gateway',
  config,
  port: config.GATEWAY_PORT,
  tracing,
  metricsListener: { host: config.GATEWAY_METRICS_HOST, port: config.GATEWAY_METRICS_PORT },
  setup: (logger) => gatewayService(config, logger).parts,
}).catch((err) => {
  console.error('gateway failed to start', err);
  process.exit(1);
});
