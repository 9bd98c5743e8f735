/** Gateway state changes in our log: discord.js reconnects by itself; we only say what happens. */
import { Events, type Client } from 'discord.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';

export function logConnectionState(client: Client, logger: Logger): void {
  client.on(Events.ShardReady, (shardId) => logger.info('discord gateway ready', { shardId }));
  client.on(Events.ShardResume, (shardId, replayed) =>
    logger.info('discord gateway resumed', { shardId, replayed }),
  );
  client.on(Events.ShardReconnecting, (shardId) => logger.warn('discord gateway reconnecting', { shardId }));
  client.on(Events.ShardDisconnect, (event, shardId) =>
    logger.warn('discord gateway disconnected', { shardId, code: event.code }),
  );
  client.on(Events.ShardError, (error, shardId) =>
    logger.error('discord gateway error', { shardId, error: errorMessage(error) }),
  );
  client.on(Events.Invalidated, () => logger.error('discord session invalidated'));
  client.on(Events.Warn, (message) => logger.warn('discord warning', { message }));
  client.on(Events.Error, (error) => logger.error('discord client error', { error: errorMessage(error) }));
}
