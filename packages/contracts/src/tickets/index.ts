export * from './model';
export * from './actions';
export * from './messages';
export * from './workflow-input';
export * from './activities';
