export { type KafkaBroker, type StartKafkaBrokerOptions, startKafkaBroker } from './broker.ts'
export { resolveKafkaClasspath } from './classpath.ts'
export { type Ledger, type LedgerCounts, ledger, type Producer } from './ledger.ts'
export { KAFKA_VERSION } from './paths.ts'
