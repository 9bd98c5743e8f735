/**
 * The files client notices refer to (ports/surface-notifier.ts NoticeFiles): a project's workspace
 * archive, made from its git repository when the notice is delivered. An archive over the size limit is
 * not sent (the notice already says where to download it) and the refusal is logged.
 */
import { hasCode } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { Workspaces } from '../../agents/workspace/project-workspace.js';
import type { OutgoingFile } from '../../ports/chat-transport.js';
import type { Store } from '../../ports/store.js';
import type { NoticeAttachment, NoticeFiles } from '../../ports/surface-notifier.js';
import { ARCHIVE_CONTENT_TYPE, archiveName } from './project-deliverables.js';

/** Largest archive sent with a message (Slack, Discord and mail servers all take this much). */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 8 * 1024 * 1024;

export interface WorkspaceFilesOptions {
  store: Pick<Store, 'projects'>;
  workspaces: Workspaces;
  logger: Logger;
  maxBytes?: number;
}

/** The workspace archive of one project, or null (no such project, no workspace, too large). */
export async function workspaceArchive(
  options: WorkspaceFilesOptions,
  projectId: string,
): Promise<OutgoingFile | null> {
  const project = await options.store.projects.get(projectId);
  if (!project) return null;
  const maxBytes = options.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
  try {
    const data = await options.workspaces.forProject(project).archive(project.key, maxBytes);
    if (data === null) return null;
    return {
      name: archiveName(project),
      contentType: ARCHIVE_CONTENT_TYPE,
      data,
      title: `${project.title}: every file of the project`,
    };
  } catch (error) {
    if (!hasCode(error, 'VALIDATION')) throw error;
    options.logger.warn('workspace archive too large to send', { projectId, maxBytes });
    return null;
  }
}

export function workspaceNoticeFiles(options: WorkspaceFilesOptions): NoticeFiles {
  return {
    resolve(attachment: NoticeAttachment) {
      return workspaceArchive(options, attachment.projectId);
    },
  };
}
