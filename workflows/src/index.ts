/**
 * Absolute path of the workflow bundle's entry module, for `Worker.create({ workflowsPath })`:
 * the one thing this package gives, to the Temporal worker only (eslint forbids importing it
 * anywhere else). The ticket's rules live in @woop/ticket-domain.
 */
export const workflowsPath: string = require.resolve('./workflows');
