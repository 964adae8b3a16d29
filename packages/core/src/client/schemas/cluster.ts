import * as z from 'zod'

export const DashboardConfiguration = z.looseObject({
  'refresh-interval': z.number(),
  'timezone-name': z.string().optional(),
  'timezone-offset': z.number().optional(),
  'flink-version': z.string(),
  'flink-revision': z.string().optional(),
  features: z
    .looseObject({
      'web-submit': z.boolean(),
      'web-cancel': z.boolean().optional(),
      'web-rescale': z.boolean().optional(),
      'web-history': z.boolean().optional(),
    })
    .optional(),
})
export type DashboardConfiguration = z.infer<typeof DashboardConfiguration>

export const ClusterOverview = z.looseObject({
  taskmanagers: z.number().int(),
  'slots-total': z.number().int(),
  'slots-available': z.number().int(),
  'jobs-running': z.number().int(),
  'jobs-finished': z.number().int(),
  'jobs-cancelled': z.number().int(),
  'jobs-failed': z.number().int(),
  'flink-version': z.string(),
  'flink-commit': z.string().optional(),
})
export type ClusterOverview = z.infer<typeof ClusterOverview>
