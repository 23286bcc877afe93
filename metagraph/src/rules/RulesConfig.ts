// What the rules need from the node's configuration. Plain data, so a vector can carry it.
import { DagAddress } from '@datagraph/protocol';
import { z } from 'zod';

export const RulesConfig = z
  .object({
    /**
     * Gateways whose IngestBatch, QueryReceipt and RewardCycle updates are taken. Checked by validateUpdate:
     * it depends on the update and this config only, never on ledger state (docs/data-application.md).
     */
    authorisedGateways: z.array(DagAddress),
  })
  .strict();
export type RulesConfig = z.infer<typeof RulesConfig>;
