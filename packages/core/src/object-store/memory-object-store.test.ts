import { createMemoryObjectStore } from './memory-object-store.ts'
import { sharedStoreSuite } from './shared-store-suite.ts'

const store = createMemoryObjectStore('suite')
sharedStoreSuite('memory object store', async () => store)
