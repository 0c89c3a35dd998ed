/** Temporal task queue polled by the ticket workers (services/tickets worker). */
export const TICKETS_TASK_QUEUE = 'tickets';
