export { AGENT_MODEL_DEFAULTS, AgentBehaviorModel } from './agent-behavior-model';
export type {
  ActivityEvent,
  ActivityOutcome,
  AgentBehaviorModelOptions,
  AgentBehaviorState,
  AnomalyAssessment,
  FeatureExplanation,
  FeatureName,
  PeerPrior,
} from './agent-behavior-model';
export { DEFAULT_Z_AT_90, scoreFromZ } from './calibration';
export { EW_ROBUST_Z_DEFAULTS, EwRobustZDetector } from './ew-robust-z-detector';
export type { DataPoint, DetectorPrior, EwRobustZOptions, EwRobustZState, OnlineDetector } from './ew-robust-z-detector';
export { buildPeerPrior } from './peer-prior';
