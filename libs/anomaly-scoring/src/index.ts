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
export { anscombe, DEFAULT_Z_AT_90, inverseAnscombe, scoreFromZ } from './calibration';
export { EPISODE_QUIET_MS, ESCALATION_STEP, EpisodeTracker, REPORTING_FLOOR } from './episode-tracker';
export type { Episode, EpisodeTrackerOptions, EpisodeTrackerState, EpisodeTransition } from './episode-tracker';
export { EW_ROBUST_Z_DEFAULTS, EwRobustZDetector } from './ew-robust-z-detector';
export type { DataPoint, DetectorDirection, DetectorPrior, EwRobustZOptions, EwRobustZState, OnlineDetector } from './ew-robust-z-detector';
export { buildPeerPrior } from './peer-prior';
