/**
 * The ops commands: `olympus projects list|show`, `olympus tasks list`, `olympus checkpoints list|decide`.
 * Thin clients of the running server's ops API, so one process owns the store; decisions go through the
 * same decision handler as Slack's buttons.
 */
import type { Command } from 'commander';
import { errorMessage } from '../../common/errors.js';
import { budgetLines } from './ops-budget-lines.js';
import { stallLines } from './ops-stall-lines.js';
import { readSecretFromStdin } from './ops-secret-stdin.js';
import { opsRequest, type OpsAnswer } from './ops-client.js';

type Row = Record<string, unknown>;

export interface OpsCommandContext {
  /** Base URL of the running server (config `http.url`). */
  baseUrl: () => string;
  /** Console token sent as `Authorization: Bearer`, when the server requires a login. */
  token?: () => string | null;
  out: (text: string) => void;
  err: (text: string) => void;
}

const OUTCOMES = { approve: 'approved', modify: 'modified', reject: 'rejected' } as const;

export function registerOpsCommands(program: Command, context: OpsCommandContext): void {
  const run = (name: string, work: () => Promise<void>) =>
    work().catch((error: unknown) => {
      context.err(`olympus ${name}: ${errorMessage(error)}`);
      process.exitCode = 1;
    });
  const get = async (path: string): Promise<Row> => {
    const answer = await opsRequest(context.baseUrl(), path, { token: context.token?.() ?? null });
    if (answer.status !== 200) throw new Error(messageOf(answer));
    return answer.body;
  };

  const projects = program
    .command('projects')
    .description('Projects as stored (through the running server).');
  projects
    .command('list')
    .description('Every project: key, status, title.')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) =>
      run('projects list', async () => {
        const { projects: rows } = (await get('/api/ops/projects')) as { projects: Row[] };
        if (options.json) return context.out(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return context.out('No projects.');
        for (const p of rows) context.out(`${str(p.key)}  ${str(p.status)}  ${str(p.title)}  (${str(p.id)})`);
      }),
    );
  projects
    .command('show')
    .description('One project (by id or key) with its brief, tasks and checkpoints.')
    .argument('<project>', 'project id or key')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) =>
      run('projects show', async () => {
        const shown = await get(`/api/ops/projects/${encodeURIComponent(id)}`);
        if (options.json) return context.out(JSON.stringify(shown, null, 2));
        const project = shown.project as Row;
        context.out(`${str(project.title)} (${str(project.key)}, ${str(project.id)})`);
        context.out(`status: ${str(project.status)}   brief v${str(project.briefVersion)}`);
        for (const line of budgetLines(project, shown.checkpoints as Row[])) context.out(line);
        for (const line of stallLines(shown.checkpoints as Row[])) context.out(line);
        context.out(`tasks:`);
        for (const t of shown.tasks as Row[]) context.out(`  ${taskLine(t)}`);
        context.out(`checkpoints:`);
        for (const c of shown.checkpoints as Row[]) context.out(`  ${checkpointLine(c)}`);
      }),
    );

  program
    .command('tasks')
    .description("A project's tasks.")
    .command('list')
    .argument('<project>', 'project id or key')
    .option('--json', 'print JSON')
    .action((id: string, options: { json?: boolean }) =>
      run('tasks list', async () => {
        const { tasks } = (await get(`/api/ops/projects/${encodeURIComponent(id)}/tasks`)) as {
          tasks: Row[];
        };
        if (options.json) return context.out(JSON.stringify(tasks, null, 2));
        if (tasks.length === 0) return context.out('No tasks (the plan is not approved yet?).');
        for (const t of tasks) context.out(taskLine(t));
      }),
    );

  const checkpoints = program.command('checkpoints').description('TO checkpoints.');
  checkpoints
    .command('list')
    .description('Checkpoints, oldest first.')
    .option('--pending', 'only those waiting for a decision')
    .option('--json', 'print JSON')
    .action((options: { pending?: boolean; json?: boolean }) =>
      run('checkpoints list', async () => {
        const { checkpoints: rows } = (await get(
          `/api/ops/checkpoints${options.pending ? '?pending=1' : ''}`,
        )) as {
          checkpoints: Row[];
        };
        if (options.json) return context.out(JSON.stringify(rows, null, 2));
        if (rows.length === 0)
          return context.out(options.pending ? 'No pending checkpoints.' : 'No checkpoints.');
        for (const c of rows) context.out(checkpointLine(c));
      }),
    );
  checkpoints
    .command('decide')
    .description(
      'Decide a checkpoint as a Technical Operator (the same decision handler as the Slack buttons).',
    )
    .argument('<id>', 'checkpoint id')
    .argument('<decision>', 'approve, modify or reject')
    .requiredOption(
      '--as <identity>',
      'who decides: identity id, email, console name, or surface:id (slack:U123)',
    )
    .option('--reason <text>', 'why (shown to the team; for reject)')
    .option('--changes <text>', 'what to change (for modify)')
    .option('--json', 'print the whole answer as JSON')
    .option(
      '--secret-stdin',
      'approve a credential checkpoint with the value read from standard input (stored in the vault)',
    )
    .action(
      (
        id: string,
        decision: string,
        options: { as: string; reason?: string; changes?: string; json?: boolean; secretStdin?: boolean },
      ) =>
        run('checkpoints decide', async () => {
          const outcome = OUTCOMES[decision as keyof typeof OUTCOMES];
          if (!outcome) throw new Error(`the decision must be approve, modify or reject, not "${decision}"`);
          if (outcome === 'modified' && !options.changes)
            throw new Error('modify needs --changes "<what to change>"');
          if (options.secretStdin && outcome !== 'approved')
            throw new Error('--secret-stdin provides a credential, which approves: use it with approve');
          const answer = options.secretStdin
            ? await opsRequest(
                context.baseUrl(),
                `/api/ops/checkpoints/${encodeURIComponent(id)}/credential`,
                {
                  method: 'POST',
                  token: context.token?.() ?? null,
                  body: { as: options.as, value: await readSecretFromStdin() },
                },
              )
            : await opsRequest(context.baseUrl(), `/api/ops/checkpoints/${encodeURIComponent(id)}/decide`, {
                method: 'POST',
                token: context.token?.() ?? null,
                body: {
                  as: options.as,
                  outcome,
                  ...(options.reason ? { reason: options.reason } : {}),
                  ...(options.changes ? { changes: options.changes } : {}),
                },
              });
          if (options.json) context.out(JSON.stringify(answer.body, null, 2));
          else context.out(messageOf(answer));
          if (answer.status !== 200) process.exitCode = 1;
        }),
    );
}

function messageOf(answer: OpsAnswer): string {
  const message = answer.body.message;
  return typeof message === 'string' ? message : `the server answered ${answer.status}`;
}

function str(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function taskLine(t: Row): string {
  const error = t.lastError ? `  last error: ${str(t.lastError)}` : '';
  return `${str(t.key)}  ${str(t.role)}  ${str(t.status)}  attempts ${str(t.attempts)}  ${str(t.title)}${error}`;
}

function checkpointLine(c: Row): string {
  const request = (c.request ?? {}) as Row;
  const reason = ((c.decision ?? {}) as Row).reason;
  return `${str(c.id)}  ${str(c.kind)}  ${str(c.status)}  ${str(request.title)}${reason ? `  (${str(reason)})` : ''}`;
}
