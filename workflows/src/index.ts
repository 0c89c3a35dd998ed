/** Absolute path of the workflow bundle's entry module, for `Worker.create({ workflowsPath })`. */
export const workflowsPath: string = require.resolve('./workflows');

// What the tickets service needs to open a ticket: calendars, default policies and windows.
export * from './sla/calendar';
export * from './sla/policies';

// Pure lifecycle rules the tickets service shows users (who may do what now).
export { allowedActions, allowedByRole } from './ticket/lifecycle';
