/**
 * Errors as Flink's REST layer writes them: `{"errors": [...]}` bodies carrying stringified Java exceptions,
 * and `failure-cause` objects (SerializedThrowable) for asynchronous operations.
 */

/** Thrown by the fake's route code; turned into Flink's error answer by the handlers. */
export class FlinkRestError extends Error {
  readonly status: number
  readonly errors: string[]
  readonly headers: Record<string, string>

  constructor(status: number, errors: string[], headers: Record<string, string> = {}) {
    super(errors[0] ?? `HTTP ${status}`)
    this.status = status
    this.errors = errors
    this.headers = headers
  }
}

export interface JavaException {
  /** Fully qualified class name, e.g. org.apache.flink.runtime.checkpoint.CheckpointException. */
  className: string
  message: string
  cause?: JavaException
}

const FRAMES: Record<string, string[]> = {
  default: [
    'org.apache.flink.runtime.rest.handler.AbstractRestHandler.respondToRequest(AbstractRestHandler.java:83)',
    'org.apache.flink.runtime.rest.handler.AbstractHandler.respondAsLeader(AbstractHandler.java:196)',
    'org.apache.flink.runtime.rest.handler.LeaderRetrievalHandler.lambda$channelRead0$0(LeaderRetrievalHandler.java:88)',
    'java.base/java.util.Optional.ifPresent(Optional.java:178)',
  ],
}

/** `java.lang.X: message\n\tat ...\nCaused by: ...`, the way Flink stringifies exceptions. */
export function stackTrace(exception: JavaException): string {
  const lines: string[] = []
  let first = true
  for (let e: JavaException | undefined = exception; e; e = e.cause) {
    lines.push(`${first ? '' : 'Caused by: '}${e.className}: ${e.message}`)
    for (const frame of FRAMES.default!) lines.push(`\tat ${frame}`)
    if (!first) lines.push('\t... 4 more')
    first = false
  }
  return lines.join('\n')
}

/** Flink's SerializedThrowable on the wire: `{class, stack-trace, serialized-throwable}`. */
export function failureCause(exception: JavaException): {
  class: string
  'stack-trace': string
  'serialized-throwable': string
} {
  const javaSerializationMagic = Buffer.from([0xac, 0xed, 0x00, 0x05, 0x73, 0x72])
  const payload = Buffer.concat([
    javaSerializationMagic,
    Buffer.from(`${exception.className}:${exception.message}`),
  ])
  return {
    class: exception.className,
    'stack-trace': stackTrace(exception),
    'serialized-throwable': payload.toString('base64'),
  }
}

const REST_HANDLER_EXCEPTION = 'org.apache.flink.runtime.rest.handler.RestHandlerException'
const NOT_FOUND_EXCEPTION = 'org.apache.flink.runtime.rest.NotFoundException'

/** A RestHandlerException answer: the body holds the stringified exception (message first, then frames). */
export function restHandlerError(status: number, message: string, cause?: JavaException): FlinkRestError {
  return new FlinkRestError(status, [stackTrace({ className: REST_HANDLER_EXCEPTION, message, cause })])
}

export function notFoundError(message: string, cause?: JavaException): FlinkRestError {
  return new FlinkRestError(404, [stackTrace({ className: NOT_FOUND_EXCEPTION, message, cause })])
}

export function jobNotFound(jobId: string): FlinkRestError {
  return notFoundError(`Job ${jobId} not found`, {
    className: 'org.apache.flink.runtime.messages.FlinkJobNotFoundException',
    message: `Could not find Flink job (${jobId})`,
  })
}

/** What Flink answers when a body does not deserialize into the request class. */
export function badRequestFormat(requestClass: string): FlinkRestError {
  return new FlinkRestError(400, [`Request did not match expected format ${requestClass}.`])
}

/** What Flink answers for an unexpected server-side exception. */
export function internalServerError(exception: JavaException): FlinkRestError {
  return new FlinkRestError(500, [
    'Internal server error.',
    `<Exception on server side:\n${stackTrace(exception)}\n\nEnd of exception on server side>`,
  ])
}

export function badPathParameter(name: string, value: string): FlinkRestError {
  return new FlinkRestError(400, [
    `Bad request, could not parse parameters: Cannot resolve path parameter (${name}) from value "${value}".`,
  ])
}
