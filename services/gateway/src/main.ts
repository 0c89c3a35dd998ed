import { tracing } from './instrument';
import { runService } from '@woop/service-kit';
import { loadGatewayConfig } from './config';
import { upstreamReadiness } from './upstreams';

const config = loadGatewayConfig();

void runService({
  name: 'gateway',
  config,
  port: config.GATEWAY_PORT,
  tracing,
  setup: () => ({
    readiness: upstreamReadiness(config),
    routes: (app) => {
      app.get('/', (_req, res) => {
        res.json({ name: 'Portail du support WOOP', api: '/api/v1', health: '/healthz', readiness: '/readyz' });
      });
    },
    closeables: [],
  }),
}).catch((err) => {
  console.error('gateway failed to start', err);
  process.exit(1);
});
