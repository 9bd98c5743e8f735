/** The spend gateway `estimate_spend` asks through (ports/agent-gateways.ts): the one spend rule. */
import type { SpendGateway } from '../../ports/agent-gateways.js';
import { requestSpend, type BudgetDeps } from './request-spend.js';

export function spendGateway(deps: BudgetDeps): SpendGateway {
  return {
    autoApprove: deps.settings.autoApprove,
    request: (request) => requestSpend(deps, request),
  };
}
