/**
 * What the tool tells a job's gate (packages/flink-gate's HandoverConfig) through the job's configuration: where
 * the hand-over object is and the job's colour. Colours alternate between releases, each with its own sink uid and
 * transactional-id prefix, so green never restores or fences blue's sink; the object's `from` names the colour
 * that hands over, and each gate takes its role from it.
 */
export const GATE_PATH_KEY = 'flink-deploy.handover.path'
export const GATE_COLOUR_KEY = 'flink-deploy.handover.colour'

export type GateColour = 'blue' | 'green'

/** The colour of the release that takes over from one of `colour`. */
export function otherColour(colour: GateColour): GateColour {
  return colour === 'blue' ? 'green' : 'blue'
}
