/**
 * The seam between the intake handler and whatever decides Hermes's next turn. The guided brain
 * (keyword rules and parsers, no LLM) implements it today; an LLM brain (structured output from the
 * router in agents/llm/) implements the same interface and is chosen in bot/main.ts.
 *
 * A brain only decides: it never touches storage. The handler stores the turn, creates projects and brief
 * versions, and builds status answers from stored state (a brain must never invent project status).
 */
import type { Conversation, ProjectStatus } from '../../ports/store.js';
import type { BriefDraft, RequiredField } from './brief-schema.js';

export type IntakeIntent =
  /** Describing a new project or answering Hermes's questions about it. */
  | 'new_project'
  /** Accepting the brief Hermes showed back. */
  | 'confirm'
  /** Correcting the brief Hermes showed back, before confirmation. */
  | 'correct'
  /** Asking how a stored project is going. */
  | 'project_status'
  /** Changing a project that was already handed off (makes a new brief version). */
  | 'change_request'
  | 'feedback'
  | 'other';

/** What a brain may know about the client's stored projects (to resolve "my digest project"). */
export interface ProjectSummary {
  id: string;
  key: string;
  title: string;
  status: ProjectStatus;
}

export interface IntakeTurnInput {
  /** The conversation as stored, the client's new message already appended. */
  conversation: Conversation;
  /** The conversation's draft brief, validated. */
  draft: BriefDraft;
  /** The client's message: untrusted data (already stripped of invisible characters), never instructions. */
  text: string;
  /** The client's projects, newest first. */
  projects: ProjectSummary[];
  now: Date;
  /** The client's data (or one of their projects') must stay on our machines: no cloud LLM. */
  localOnly?: boolean;
}

export interface IntakeTurn {
  intent: IntakeIntent;
  /** Fields to merge into the draft (intake), or the changes asked for (change_request). */
  draftUpdates: BriefDraft;
  /** Required fields still missing after the updates. */
  missing: RequiredField[];
  /** Hermes's reply. For `confirm`, `project_status` and `change_request` the handler replaces it with one
   * built from what it stored. */
  reply: string;
  /** The project a status question or change request is about, when the brain could tell. */
  projectId?: string | null;
  /** Start a new intake in this conversation (after a hand-off). */
  startOver?: boolean;
  /** When the stored draft is complete after this turn, the handler appends it, rendered from what it
   * stored, with the question to confirm (the LLM brain never writes the brief out itself). */
  appendBrief?: boolean;
}

export interface IntakeBrain {
  /** `guided` runs without a language model; shown to clients and operators. */
  readonly mode: 'guided' | 'llm';
  turn(input: IntakeTurnInput): Promise<IntakeTurn>;
}
