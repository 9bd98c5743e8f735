/** Names of the notice and digest jobs (listed in orchestration/jobs/job-catalogue.ts with the others). */
export const NOTIFY_JOBS = {
  clientNotify: 'client.notify',
  clientNotifySweep: 'client.notify.sweep',
  projectDigest: 'project.digest',
  projectDigestSchedule: 'project.digest.schedule',
} as const;
