/** What the console API answers, as far as the page reads it. */
export type Role = 'client' | 'to' | 'admin';

export interface IdentityView {
  id: string;
  displayName: string;
  role: Role;
  handles: string[];
}

export interface Me {
  identity: IdentityView;
  role: Role;
  via: 'loopback' | 'admin_token' | 'identity_token';
  may: { decide: boolean; seeAllProjects: boolean; speakAsAnyone: boolean; jobs: boolean };
}

export interface Message {
  at: string;
  from: 'client' | 'hermes';
  text: string;
}

export interface Conversation {
  id: string;
  state: string;
  messages: Message[];
  draft: Record<string, unknown>;
  projectId: string | null;
}

export interface Money {
  amount: number;
  currency: string;
}

export interface Project {
  id: string;
  key: string;
  title: string;
  ownerId: string;
  status: string;
  budget: Money | null;
  spent: number;
  briefVersion: number;
  createdAt: string;
}

export interface Task {
  id: string;
  key: string;
  role: string;
  title: string;
  status: string;
  dependsOn: string[];
  attempts: number;
  lastError: string | null;
}

export interface Checkpoint {
  id: string;
  kind: string;
  status: string;
  createdAt: string;
  request: { title: string };
}

/** A Block Kit block, as the Slack surface posts it. */
export interface Block {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  fields?: Array<{ type: string; text: string }>;
  elements?: BlockElement[];
}

export interface BlockElement {
  type: string;
  text?: string | { type: string; text: string };
  action_id?: string;
  value?: string;
  style?: 'primary' | 'danger';
  url?: string;
}

export interface Card {
  checkpoint: Checkpoint;
  actionHash?: string;
  text?: string;
  blocks?: Block[];
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  data: Record<string, unknown>;
  actorName?: string;
}

/** Work stopped for a TO: a failed planning round, or a task that kept failing. */
export interface StalledWork {
  kind: 'plan' | 'task';
  checkpointId: string;
  taskKey: string | null;
  error: string;
  /** Why it stopped, in plain words, when the question says. */
  reason: string | null;
  modelCalls: number | null;
  since: string;
}

export interface ProjectDetail {
  project: Project;
  owner: IdentityView | null;
  stalled: StalledWork[];
  briefs: Array<{ version: number; content: Record<string, unknown>; createdAt: string; createdBy: string }>;
  tasks: Task[];
  checkpoints: Card[];
  spend: {
    budget: Money | null;
    spent: number;
    /** To the cent against the budget, e.g. "0.16 USD of 300.00 USD (<1%)". */
    text: string;
    series: Array<{ at: string; cost: number; total: number; kind: string }>;
  };
  audit: AuditEvent[];
  digests: Message[];
}

/** GET /api/console/projects/:id/deliverables */
export interface Deliverables {
  projectId: string;
  title: string;
  status: string;
  archiveName: string;
  download: string;
  tasks: Array<{ key: string; title: string; role: string; summary: string | null; files: string[] }>;
}
