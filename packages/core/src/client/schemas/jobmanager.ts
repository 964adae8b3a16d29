import * as z from 'zod'

/** The JVM and classpath of the JobManager process. */
export const JobManagerEnvironment = z.looseObject({
  jvm: z.looseObject({
    /** e.g. "OpenJDK 64-Bit Server VM - Eclipse Adoptium - 17 - 17.0.13+11". */
    version: z.string(),
    arch: z.string(),
    options: z.array(z.string()),
  }),
  classpath: z.array(z.string()),
})
export type JobManagerEnvironment = z.infer<typeof JobManagerEnvironment>
