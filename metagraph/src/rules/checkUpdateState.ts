// The stateful checks on one data update of any type, against the state left by the updates accepted before it.
import type { DataUpdate, RegisterProvider } from '@datagraph/protocol';
import { checkEntryState } from './checkEntryState.ts';
import { type Problem, problem } from './Problem.ts';
import type { RulesConfig } from './RulesConfig.ts';
import type { StateView } from './StateView.ts';

export function checkUpdateState(view: StateView, value: DataUpdate, config: RulesConfig): Problem[] {
  const out: Problem[] = [];
  // Re-checked here (cheap, config only) so that a gateway de-authorised after POST is refused by the snapshot.
  if ('gateway' in value && !config.authorisedGateways.includes(value.gateway)) {
    out.push(problem('MG_GATEWAY_NOT_AUTHORISED', `gateway ${value.gateway} is not authorised`));
  }
  switch (value.type) {
    case 'IngestBatch': {
      const batchLastSeq = new Map<string, number>();
      value.entries.forEach((entry, i) => {
        out.push(...checkEntryState(view, entry, i, batchLastSeq));
        batchLastSeq.set(entry.device, Math.max(entry.seq, batchLastSeq.get(entry.device) ?? 0));
      });
      break;
    }
    case 'RegisterProvider':
      out.push(...checkRegistrationState(view, value));
      break;
    case 'RevokeConsent':
    case 'EraseData': {
      const p = view.provider(value.provider);
      if (p === undefined) out.push(problem('MG_PROVIDER_UNKNOWN', `provider ${value.provider} is not registered`));
      else if (value.policyVersion < p.policyVersion) {
        out.push(
          problem(
            'MG_REVOKE_VERSION_STALE',
            `names policy ${value.policyVersion}; the current one is ${p.policyVersion}`,
          ),
        );
      }
      break;
    }
    case 'QueryReceipt':
      if (view.hasQueryReceipt(value.query))
        out.push(problem('MG_RECEIPT_EXISTS', `query ${value.query} already has a receipt`));
      if (view.hasPaymentTx(value.payment.txHash))
        out.push(problem('MG_PAYMENT_REUSED', 'this payment already funded another query'));
      break;
    case 'RewardCycle':
      if (view.hasRewardCycle(value.gateway, value.cycle))
        out.push(problem('MG_CYCLE_EXISTS', `cycle ${value.cycle} is already recorded`));
      break;
  }
  return out;
}

function checkRegistrationState(view: StateView, value: RegisterProvider): Problem[] {
  const out: Problem[] = [];
  const prev = view.provider(value.provider);
  if (prev !== undefined) {
    const floor = Math.max(prev.policyVersion, prev.revokedVersion);
    if (value.policy.version <= floor) {
      out.push(
        problem(
          'MG_POLICY_VERSION_NOT_INCREASING',
          `policy version ${value.policy.version} must be greater than ${floor}`,
        ),
      );
    }
  }
  value.devices.forEach((d, i) => {
    const owner = view.device(d.address)?.provider;
    if (owner != null && owner !== value.provider) {
      out.push(problem('MG_DEVICE_OWNED', `device ${i} is registered to another provider`, { entry: i }));
    }
  });
  return out;
}
