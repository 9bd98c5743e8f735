/**
 * The tools whose effects need a TO's decision — `request_credential`, `http_request` (uses a leased
 * credential), `estimate_spend`, `request_deploy` — built per task for the tool loop (its `extraTools`).
 * Each opens a checkpoint and waits; none acts on model output alone.
 */
import type { CheckpointGateway, SpendGateway } from '../../ports/agent-gateways.js';
import type { Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import type { ProjectWorkspace } from '../workspace/project-workspace.js';
import type { AgentTool } from './agent-tool.js';
import { requestCredentialTool } from './credential-tools.js';
import { requestDeployTool, type DeploySettings } from './deploy-tools.js';
import { httpRequestTool } from './http-request-tool.js';
import { estimateSpendTool } from './spend-tools.js';

export interface PrivilegedToolDeps {
  store: Store;
  checkpoints: CheckpointGateway;
  spend: SpendGateway;
  vault: Vault;
  deploy: DeploySettings;
  leaseMinutes?: number;
}

export function privilegedTools(
  deps: PrivilegedToolDeps,
): (input: { workspace: ProjectWorkspace }) => AgentTool[] {
  const { store, checkpoints, vault } = deps;
  return ({ workspace }) => [
    requestCredentialTool({
      store,
      checkpoints,
      vault,
      ...(deps.leaseMinutes === undefined ? {} : { leaseMinutes: deps.leaseMinutes }),
    }),
    httpRequestTool({ store, vault }),
    estimateSpendTool({ store, spend: deps.spend }),
    requestDeployTool({ store, checkpoints, workspace, settings: deps.deploy }),
  ];
}
