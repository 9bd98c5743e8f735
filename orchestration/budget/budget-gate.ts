/**
 * The SpendGate the specialists' tool loop consults before every language-model call (see
 * agents/tools/agent-tool.ts): the call goes ahead, or waits on a `spend` checkpoint (request-spend.ts).
 * A call whose checkpoint a TO rejected does not go ahead: the gate refuses it with FORBIDDEN.
 */
import { OlympusError } from '../../common/errors.js';
import type { SpendGate } from '../../agents/tools/agent-tool.js';
import { requestSpend, type BudgetDeps } from './request-spend.js';

export class BudgetGate implements SpendGate {
  constructor(private readonly deps: BudgetDeps) {}

  async beforeLlmCall(input: {
    projectId: string;
    taskId: string;
    step: number;
    estimatedCost: number;
    actor: string;
  }): Promise<{ kind: 'go' } | { kind: 'wait'; checkpointId: string }> {
    const { store } = this.deps;
    const [project, task] = await Promise.all([
      store.projects.get(input.projectId),
      store.tasks.get(input.taskId),
    ]);
    if (!project || !task) {
      throw new OlympusError('NOT_FOUND', `no task ${input.taskId} in project ${input.projectId}`);
    }
    const verdict = await requestSpend(this.deps, {
      project,
      task,
      actor: input.actor,
      call: { step: input.step },
      type: 'llm_call',
      amount: Math.max(0, input.estimatedCost),
      purpose: `language-model call, step ${input.step}`,
    });
    if (verdict.kind === 'go') return { kind: 'go' };
    if (verdict.kind === 'wait') return { kind: 'wait', checkpointId: verdict.checkpoint.id };
    const reason = verdict.checkpoint.decision?.reason;
    throw new OlympusError(
      'FORBIDDEN',
      `spend rejected by a TO${reason ? `: ${reason}` : ''} (checkpoint ${verdict.checkpoint.id})`,
      {
        userMessage: 'A Technical Operator rejected this spend.',
        details: { checkpointId: verdict.checkpoint.id },
      },
    );
  }
}
