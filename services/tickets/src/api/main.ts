import { tracing } from '../instrument';
import { runService } from '@woop/service-kit';
import { loadTicketsConfig } from '../config';
import { ticketsService } from './service';

const config = loadTicketsConfig();

void runService({
  name: 'tickets',
  config,
  port: config.TICKETS_PORT,
  tracing,
  setup: (logger) => ticketsService(config, logger).parts,
}).catch((err) => {
  console.error('tickets failed to start', err);
  process.exit(1);
});
