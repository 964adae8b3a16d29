import { defineRoutes } from '../route.ts'
import { Empty } from '../schemas/common.ts'
import {
  JarList,
  JarPlanQuery,
  JarPlanRequest,
  JarRunRequest,
  JarRunResponse,
  JarUploadRequest,
  JarUploadResponse,
} from '../schemas/jars.ts'
import { JobPlan } from '../schemas/jobs.ts'

export const jarRoutes = defineRoutes({
  'GET /jars': {
    name: 'list',
    summary: 'Uploaded jars with their entry classes.',
    response: JarList,
    retry: 'always',
  },
  'POST /jars/upload': {
    name: 'upload',
    summary: 'Uploads a jar, streamed from disk as multipart/form-data (`client.jars.upload(path)`).',
    body: JarUploadRequest,
    response: JarUploadResponse,
    retry: 'never',
    multipart: true,
  },
  'DELETE /jars/:jarid': {
    name: 'delete',
    summary: 'Deletes an uploaded jar.',
    response: Empty,
    retry: 'always',
  },
  'GET /jars/:jarid/plan': {
    name: 'planByQuery',
    summary: 'The plan of a jar, with program settings as query parameters.',
    query: JarPlanQuery,
    response: JobPlan,
    retry: 'always',
  },
  'POST /jars/:jarid/plan': {
    name: 'plan',
    summary: "The plan a jar's program would run, without running it: used to check state compatibility.",
    body: JarPlanRequest,
    response: JobPlan,
    retry: 'always',
  },
  'POST /jars/:jarid/run': {
    name: 'run',
    summary: "Runs a jar's program; retried only when the body fixes the job id.",
    body: JarRunRequest,
    response: JarRunResponse,
    retry: 'with-key',
  },
})
