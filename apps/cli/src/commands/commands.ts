import type { CommandSpec } from '../command';
import { AGENT_COMMANDS } from './agents.commands';
import { AUDIT_COMMANDS } from './audit.commands';
import { DEAD_LETTER_COMMANDS } from './dead-letters.commands';
import { INCIDENT_COMMANDS } from './incidents.commands';
import { OWNER_COMMANDS } from './owners.commands';
import { POLICY_COMMANDS } from './policy.commands';
import { REVIEW_COMMANDS } from './reviews.commands';
import { SESSION_COMMANDS } from './session.commands';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  ...SESSION_COMMANDS,
  ...AGENT_COMMANDS,
  ...OWNER_COMMANDS,
  ...INCIDENT_COMMANDS,
  ...REVIEW_COMMANDS,
  ...POLICY_COMMANDS,
  ...AUDIT_COMMANDS,
  ...DEAD_LETTER_COMMANDS,
];
