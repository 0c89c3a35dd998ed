/** Absolute path of the workflow bundle's entry module, for `Worker.create({ workflowsPath })`. */
export const workflowsPath: string = require.resolve('./workflows');
