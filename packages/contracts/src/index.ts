export * from './events';
export * from './search-attributes';
export * from './task-queues';
export * from './topics';
export * from './tickets';
export * from './identity';
export * from './catalogue';
export * from './ticket-form';
