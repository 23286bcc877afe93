// The stateless checks on a RegisterProvider: its devices' keys and its consent policy.
import { addressFromPublicKey, type Cadence, catalogue, FIELD_NAMES, type RegisterProvider } from '@datagraph/protocol';
import { type Problem, problem } from './Problem.ts';

export function checkRegistration(value: RegisterProvider): Problem[] {
  const out: Problem[] = [];
  if (value.policy.provider !== value.provider) {
    out.push(problem('MG_POLICY_PROVIDER_MISMATCH', `policy is for ${value.policy.provider}, not ${value.provider}`));
  }
  const seen = new Map<string, number>();
  value.devices.forEach((device, i) => {
    if (addressFromPublicKey(device.publicKey) !== device.address) {
      out.push(
        problem('MG_DEVICE_KEY_MISMATCH', `device ${i}: public key is not the key of its address`, { entry: i }),
      );
    }
    const first = seen.get(device.address);
    if (first === undefined) seen.set(device.address, i);
    else out.push(problem('MG_DUPLICATE_DEVICE', `device ${i} repeats device ${first}`, { entry: i }));
  });
  // FIELD_NAMES is sorted: a fixed order, never the policy object's key order.
  for (const field of FIELD_NAMES) {
    const cadences: readonly Cadence[] | undefined = value.policy.fields[field];
    if (cadences === undefined) continue;
    const offered = catalogue[field].cadence;
    for (const c of cadences) {
      if (c !== offered)
        out.push(problem('MG_FIELD_CADENCE', `policy consents ${field} at ${c}; it is a ${offered} field`));
    }
  }
  return out;
}
