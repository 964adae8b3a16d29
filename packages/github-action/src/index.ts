// The Action arrives with its own issue; until then the package only proves the workspace links to core.
export { createFlinkClient } from '@flink-deploy/core'
