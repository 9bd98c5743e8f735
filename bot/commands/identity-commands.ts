/** `olympus identities link <identity> <surface:externalId>`: a thin client of the ops API. */
import type { Command } from 'commander';
import { errorMessage } from '../../common/errors.js';
import { opsRequest } from './ops-client.js';
import type { OpsCommandContext } from './ops-commands.js';

export function registerIdentityCommands(program: Command, context: OpsCommandContext): void {
  program
    .command('identities')
    .description('Client identities across surfaces.')
    .command('link')
    .description(
      'Link a handle (email:…, discord:…, slack:U…, console:…) to an identity; its old owner is merged in.',
    )
    .argument('<identity>', 'identity id, or one of its handles, e.g. email:alice@example.com')
    .argument('<handle>', 'the handle to link, e.g. discord:123456789012345678')
    .option('--json', 'print JSON')
    .action(async (identity: string, handle: string, options: { json?: boolean }) => {
      try {
        const answer = await opsRequest(context.baseUrl(), '/api/ops/identities/link', {
          method: 'POST',
          body: { identity, handle },
          token: context.token?.() ?? null,
        });
        if (answer.status !== 200)
          throw new Error(
            typeof answer.body.message === 'string' ? answer.body.message : `HTTP ${answer.status}`,
          );
        if (options.json) return context.out(JSON.stringify(answer.body, null, 2));
        const linked = answer.body.identity as {
          id: string;
          displayName: string;
          handles: Array<{ surface: string; externalId: string }>;
        };
        context.out(
          `${linked.displayName} (${linked.id}): ${linked.handles.map((h) => `${h.surface}:${h.externalId}`).join(', ')}`,
        );
        if (answer.body.merged === true)
          context.out(`merged identity ${String(answer.body.previousOwner)} into it`);
      } catch (error) {
        context.err(`olympus identities link: ${errorMessage(error)}`);
        process.exitCode = 1;
      }
    });
}
