/**
 * A project's deliverables for the surfaces: the report (per done task, its summary and the files it
 * changed) and the workspace archive to download. Who may read them is the access policy's
 * `deliverables.read` (a client their own projects, TOs any), checked by the surface that serves them.
 */
import type { Workspaces } from '../../agents/workspace/project-workspace.js';
import type { Logger } from '../../common/logging/logger.js';
import {
  projectDeliverables,
  type ProjectDeliverables,
} from '../../orchestration/deliverables/project-deliverables.js';
import { workspaceArchive } from '../../orchestration/deliverables/workspace-files.js';
import type { OutgoingFile } from '../../ports/chat-transport.js';
import type { Project, Store } from '../../ports/store.js';

/** Largest archive the console serves for download. */
export const DOWNLOAD_MAX_BYTES = 256 * 1024 * 1024;

export interface DeliverableViews {
  /** False where this process has no workspaces (the surfaces then answer that downloads are elsewhere). */
  readonly available: boolean;
  report(project: Project): Promise<ProjectDeliverables | null>;
  /** The workspace as a .tar.gz; null when the project has no workspace yet. */
  archive(project: Project): Promise<OutgoingFile | null>;
}

/** Where deliverables come from: the workspaces, and the log that hears of an archive too large to serve. */
export interface DeliverableSources {
  workspaces: Workspaces;
  logger: Logger;
}

export function deliverableViews(store: Store, sources: DeliverableSources | undefined): DeliverableViews {
  return {
    available: sources !== undefined,
    async report(project) {
      return sources ? projectDeliverables(store, sources.workspaces, project) : null;
    },
    async archive(project) {
      if (!sources) return null;
      return workspaceArchive({ store, ...sources, maxBytes: DOWNLOAD_MAX_BYTES }, project.id);
    },
  };
}
