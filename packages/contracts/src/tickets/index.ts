export * from './model';
export * from './actions';
export * from './messages';
export * from './workflow-input';
export * from './activities';
export * from './events';
export * from './event-versions';
export * from './access';
