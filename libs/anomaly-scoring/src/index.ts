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
export { anscombe, inverseAnscombe } from './calibration';
export { EPISODE_QUIET_MS, ESCALATION_STEP, EpisodeTracker, REPORTING_FLOOR } from './episode-tracker';
export type { Episode, EpisodeTrackerOptions, EpisodeTrackerState, EpisodeTransition } from './episode-tracker';
export { buildPeerPrior } from './peer-prior';
export { daysBetweenAt, scoreFromRate } from './rarity';
export { StreamDetector } from './stream-detector';
export type { StreamAssessment, StreamDetectorOptions, StreamDetectorState, StreamDirection, StreamPoint } from './stream-detector';
export { TailCalibrator } from './tail-calibrator';
export type { TailState } from './tail-calibrator';
