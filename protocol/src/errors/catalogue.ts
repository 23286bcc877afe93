// The error-code catalogue: every stable code of the project, by owning package.
import { agentCodes } from './agentCodes.ts';
import { gatewayCodes } from './gatewayCodes.ts';
import { metagraphCodes } from './metagraphCodes.ts';
import { protocolCodes } from './protocolCodes.ts';

export const errorCatalogue = { ...protocolCodes, ...metagraphCodes, ...agentCodes, ...gatewayCodes } as const;
export type ErrorCode = keyof typeof errorCatalogue;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}
