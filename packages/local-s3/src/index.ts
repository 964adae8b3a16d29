export { assertBucketName, bucketNameProblem } from './bucket-name.ts'
export { installMoto, type MotoInstallation } from './moto-install.ts'
export { MOTO_VERSION } from './paths.ts'
export {
  S3_REGION,
  type S3ClientSettings,
  type S3Server,
  type StartS3ServerOptions,
  startS3Server,
} from './s3-server.ts'
