import { tracing } from './instrument';
import { runService } from '@woop/service-kit';
import { loadNotificationsConfig } from './config';
import { notificationsService } from './service';

const config = loadNotificationsConfig();

void runService({
  name: 'notifications',
  config,
  port: config.NOTIFICATIONS_PORT,
  tracing,
  setup: (logger) => notificationsService(config, logger).parts,
}).catch((err) => {
  console.error('notifications failed to start', err);
  process.exit(1);
});
