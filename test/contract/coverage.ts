/**
 * Routes of the client's table that the contract suite (contract-suite.ts) cannot exercise on real Flink,
 * with the reason. Every other route appears in the suite by its literal key and runs against real Flink
 * 1.20 and 2.3 (real.flink.test.ts) and against the fake (fake.test.ts); coverage.test.ts checks that.
 */
export const notOnRealFlink: Record<string, string> = {}
