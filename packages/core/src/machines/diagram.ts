/**
 * Mermaid state diagrams of the upgrade machines, generated from their definitions so the docs cannot drift
 * from the code (test/docs.test.ts fails when the committed diagrams are stale).
 */
import type { AnyStateMachine } from 'xstate'
import { toDirectedGraph } from 'xstate/graph'

type Guard = string | { type?: string } | undefined

interface Transition {
  eventType: string
  guard?: Guard
  target?: { id: string }[]
}

interface GraphNode {
  id: string
  stateNode: { type: string; key: string; initial?: unknown; always?: Transition[] }
  children: GraphNode[]
  edges: { source: { id: string }; target: { id: string }; transition: Transition }[]
}

export function toMermaid(machine: AnyStateMachine): string {
  const root = toDirectedGraph(machine) as unknown as GraphNode
  const lines = ['stateDiagram-v2']
  const name = (id: string) => id.slice(root.id.length + 1).replaceAll('.', '_')
  const walk = (node: GraphNode, indent: string) => {
    const initial = node.children.find(
      (c) =>
        c.stateNode.key === node.stateNode.initial ||
        (node.stateNode.initial as { target?: { key: string }[] })?.target?.[0]?.key === c.stateNode.key,
    )
    if (initial) lines.push(`${indent}[*] --> ${name(initial.id)}`)
    for (const child of node.children) {
      if (child.children.length > 0) {
        lines.push(`${indent}state ${name(child.id)} {`)
        walk(child, `${indent}  `)
        lines.push(`${indent}}`)
      }
      if (child.stateNode.type === 'final') lines.push(`${indent}${name(child.id)} --> [*]`)
    }
    for (const edge of node.edges) {
      lines.push(`${indent}${name(edge.source.id)} --> ${name(edge.target.id)}: ${label(edge.transition)}`)
    }
    for (const child of node.children) if (child.children.length === 0) walkEdges(child, indent)
  }
  const walkEdges = (node: GraphNode, indent: string) => {
    for (const edge of node.edges) {
      lines.push(`${indent}${name(edge.source.id)} --> ${name(edge.target.id)}: ${label(edge.transition)}`)
    }
    // Eventless transitions are not graph edges in xstate/graph; they are decisions worth drawing.
    for (const t of node.stateNode.always ?? []) {
      for (const target of t.target ?? [])
        lines.push(`${indent}${name(node.id)} --> ${name(target.id)}: ${label(t)}`)
    }
  }
  walk(root, '  ')
  return `${[...new Set(lines)].join('\n')}\n`
}

function label(transition: Transition): string {
  const event = transition.eventType.startsWith('xstate.done.actor')
    ? 'done'
    : transition.eventType.startsWith('xstate.error.actor')
      ? 'error'
      : transition.eventType === ''
        ? 'always'
        : transition.eventType
  const guard = typeof transition.guard === 'string' ? transition.guard : transition.guard?.type
  return guard ? `${event} [${guard}]` : event
}
