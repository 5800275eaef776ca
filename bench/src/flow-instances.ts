import type { FlowProblem } from '@hyphae/device/flow';
import { clearingInstance, geographic, netgen } from '@hyphae/test-rig/flow-instances';

/** The flow bench's instances, made the same way in the bench and in its child processes (flow-repeat.ts). */
export const FLOW_INSTANCES = {
  'netgen-1k': () => netgen(1_000, 8, 1),
  'netgen-4k': () => netgen(4_000, 8, 2),
  'netgen-16k': () => netgen(16_000, 8, 3),
  'geographic-1k': () => geographic(1_000, 6, 4),
  'geographic-4k': () => geographic(4_000, 6, 5),
  'clearing-1k': () => clearingInstance(1_000, 7_500, 6),
  'clearing-10k': () => clearingInstance(10_000, 75_000, 7),
  'clearing-100k': () => clearingInstance(100_000, 750_000, 8),
} as const satisfies Record<string, () => FlowProblem>;

export type FlowInstanceName = keyof typeof FLOW_INSTANCES;
