export * from './declaration.ts'
export { upgradeOptionsFrom } from './upgrade-options-from.ts'
