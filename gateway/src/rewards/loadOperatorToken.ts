// The operator's bearer token for the rewards operator routes (`POST /v1/rewards/cycles`,
// `GET /v1/rewards/status`, `GET /v1/rewards/cycles/{cycle}`). From config (`rewards.operatorToken`,
// DG_OPERATOR_TOKEN, or `rewards.operatorTokenFile`); for development, generated once into
// `<dataDir>/operator.token` (mode 0600) with a warning, where `datagraph rewards` on the same host reads it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProtocolError } from '@datagraph/protocol';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/GatewayConfig.ts';

export const operatorTokenPath = (dataDir: string): string => join(dataDir, 'operator.token');

export function loadOperatorToken(config: GatewayConfig, log: Logger): string {
  const { operatorToken, operatorTokenFile } = config.rewards;
  if (operatorToken) return operatorToken;
  const file = operatorTokenFile ?? operatorTokenPath(config.dataDir);
  if (!existsSync(file)) {
    if (operatorTokenFile)
      throw new ProtocolError('GW_CONFIG_INVALID', `rewards.operatorTokenFile ${operatorTokenFile} does not exist`);
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    log.warn({ file }, 'rewards: generated a development operator token; set DG_OPERATOR_TOKEN in production');
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16)
    throw new ProtocolError('GW_CONFIG_INVALID', `operator token in ${file} is under 16 characters`);
  return token;
}
