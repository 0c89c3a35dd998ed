/** The module the ticket worker bundles: every workflow of the `tickets` task queue. */
export { ticketWorkflow } from './ticket/workflow';
