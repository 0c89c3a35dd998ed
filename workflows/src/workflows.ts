/**
 * The module the ticket worker bundles: every workflow the `tickets` task queue runs is
 * exported from here. The ticket workflow itself is issue #3.
 */
export {};
