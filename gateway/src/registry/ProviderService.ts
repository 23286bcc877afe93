// Provider actions relayed by the gateway (DESIGN.md section 2): register devices and consent, revoke, erase.
// Each is checked here (provider signature, versions, device ownership), applied locally at once, journaled
// for the metagraph in the same atomic write, and each device's signed policy is kept as a retained message.
import {
  type Clock,
  EraseData,
  ProtocolError,
  parseWith,
  proofAddress,
  RegisterProvider,
  RevokeConsent,
  SignatureProof,
  SignedDataUpdate,
  topics,
  verifyValueProof,
} from '@datagraph/protocol';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Batcher } from '../batcher/Batcher.ts';
import type { LedgerOutbox } from '../ledger/LedgerOutbox.ts';
import type { GatewayStore } from '../store/GatewayStore.ts';
import type { Vault } from '../vault/Vault.ts';
import type { ProviderRecord, Registry } from './Registry.ts';

/** Body of POST /v1/providers: the signed registration, and the provider's signature over the policy alone. */
export const RegisterRequest = z.object({ registration: SignedDataUpdate, policyProof: SignatureProof }).strict();
export type RegisterRequest = z.infer<typeof RegisterRequest>;

export interface PolicyPublisher {
  publishRetained(topic: string, payload: Buffer): Promise<void>;
  disconnect(deviceIds: Set<string>): void;
}

export class ProviderService {
  constructor(
    private readonly d: {
      store: GatewayStore;
      registry: Registry;
      vault: Vault;
      outbox: LedgerOutbox;
      batcher: Batcher;
      broker: PolicyPublisher;
      clock: Clock;
      log: Logger;
    },
  ) {}

  async register(
    input: unknown,
  ): Promise<{ provider: string; devices: string[]; policyVersion: number; unchanged: boolean }> {
    const req = parseWith(RegisterRequest, input, 'registration');
    const value = parseWith(RegisterProvider, req.registration.value, 'registration');
    // Signatures cover the values exactly as the provider sent them, before zod fills defaults in: verify,
    // journal and publish those (a parsed copy may differ, e.g. an omitted `generalisation`).
    const raw = input as { registration: SignedDataUpdate & { value: { policy: unknown } } };
    const signer = this.#providerProof(raw.registration, value.provider);
    if (value.policy.provider !== value.provider)
      throw new ProtocolError('PR_SCHEMA', 'policy.provider must be the registering provider');
    if (req.policyProof.id !== signer.id || !verifyValueProof(raw.registration.value.policy, req.policyProof)) {
      throw new ProtocolError(
        'GW_BAD_PROVIDER_SIGNATURE',
        'policyProof must be the provider signature over the policy',
      );
    }
    const addrs = value.devices.map((d) => d.address);
    if (new Set(addrs).size !== addrs.length) throw new ProtocolError('PR_SCHEMA', 'a device is listed twice');
    for (const d of value.devices) {
      if (proofAddress({ id: d.publicKey, signature: '00' }) !== d.address)
        throw new ProtocolError('PR_SIGNER_MISMATCH', `device ${d.address} does not match its public key`);
      const owner = this.d.registry.device(d.address)?.provider;
      if (owner !== undefined && owner !== value.provider)
        throw new ProtocolError('GW_DEVICE_TAKEN', `device ${d.address} is registered to another provider`);
    }
    const prev = this.d.registry.provider(value.provider);
    if (
      prev &&
      prev.status === 'active' &&
      prev.policy.version === value.policy.version &&
      JSON.stringify(prev.devices) === JSON.stringify(value.devices)
    ) {
      return { provider: value.provider, devices: addrs, policyVersion: value.policy.version, unchanged: true };
    }
    const floor = prev ? Math.max(prev.policy.version, prev.revokedVersion) : 0;
    if (value.policy.version <= floor)
      throw new ProtocolError('GW_POLICY_NOT_NEWER', `policy version must be greater than ${floor}`);
    const record: ProviderRecord = {
      provider: value.provider,
      publicKey: signer.id,
      policy: value.policy,
      signedPolicy: raw.registration.value.policy,
      policyProof: req.policyProof,
      devices: value.devices,
      status: 'active',
      revokedVersion: prev?.revokedVersion ?? 0,
      updatedAt: this.d.clock.now(),
    };
    // Entries accepted under the old policy go to the ledger ahead of the new registration (which makes them stale).
    await this.d.batcher.cut();
    const journal = this.d.outbox.enqueueOps(raw.registration);
    await this.d.store.write([
      ...(await this.d.vault.ensureDataKeyOps(value.provider)),
      ...this.d.registry.putOps(record),
      ...journal.ops,
    ]);
    this.d.registry.commit(record);
    this.d.outbox.added([journal.item]);
    const policy = { policy: raw.registration.value.policy, proof: req.policyProof };
    for (const d of value.devices)
      await this.d.broker.publishRetained(topics.policy(d.address), Buffer.from(JSON.stringify(policy)));
    for (const d of prev?.devices ?? [])
      if (!addrs.includes(d.address)) await this.d.broker.publishRetained(topics.policy(d.address), Buffer.alloc(0));
    this.d.log.info(
      { provider: value.provider, devices: addrs.length, policyVersion: value.policy.version },
      'registry: provider registered',
    );
    return { provider: value.provider, devices: addrs, policyVersion: value.policy.version, unchanged: false };
  }

  /** RevokeConsent or EraseData: ingest stops at once, the provider's vault is crypto-shredded. */
  async stop(
    address: string,
    action: 'revoke' | 'erase',
    input: unknown,
  ): Promise<{ provider: string; status: string; rowsDeleted: number; pendingDropped: number }> {
    const signed = parseWith(SignedDataUpdate, input, action);
    const value =
      action === 'revoke' ? parseWith(RevokeConsent, signed.value, action) : parseWith(EraseData, signed.value, action);
    if (value.provider !== address)
      throw new ProtocolError('PR_SCHEMA', 'the update names another provider than the URL');
    this.#providerProof(input as SignedDataUpdate, address);
    const prev = this.d.registry.provider(address);
    if (!prev) throw new ProtocolError('GW_UNKNOWN_PROVIDER');
    if (value.policyVersion < prev.policy.version)
      throw new ProtocolError(
        'GW_POLICY_VERSION',
        `names policy ${value.policyVersion}; the current one is ${prev.policy.version}`,
      );
    const status = action === 'revoke' ? 'revoked' : 'erased';
    // In memory first: from here on no CONNECT and no update of this provider is accepted.
    const record = this.d.registry.setStatus(
      address,
      status,
      value.policyVersion,
      this.d.clock.now(),
    ) as ProviderRecord;
    const devices = new Set(record.devices.map((d) => d.address));
    this.d.broker.disconnect(devices);
    const pendingDropped = await this.d.batcher.dropProvider(address);
    const rowsDeleted = await this.d.vault.erase(address);
    const journal = this.d.outbox.enqueueOps(input as SignedDataUpdate);
    await this.d.store.write([...this.d.registry.putOps(record), ...journal.ops]);
    this.d.outbox.added([journal.item]);
    for (const d of devices) await this.d.broker.publishRetained(topics.policy(d), Buffer.alloc(0));
    this.d.log.info({ provider: address, action, rowsDeleted, pendingDropped }, 'registry: provider stopped');
    return { provider: address, status, rowsDeleted, pendingDropped };
  }

  /** Republish every active device's policy as retained (the broker's retained store is in memory). */
  async republishPolicies(): Promise<void> {
    for (const p of this.d.registry.providers()) {
      if (p.status !== 'active') continue;
      const policy = { policy: p.signedPolicy ?? p.policy, proof: p.policyProof };
      for (const d of p.devices)
        await this.d.broker.publishRetained(topics.policy(d.address), Buffer.from(JSON.stringify(policy)));
    }
  }

  #providerProof(signed: SignedDataUpdate, provider: string): SignatureProof {
    const proof = signed.proofs.find((p) => proofAddress(p) === provider);
    if (!proof || signed.proofs.length !== 1 || !verifyValueProof(signed.value, proof)) {
      throw new ProtocolError('GW_BAD_PROVIDER_SIGNATURE');
    }
    return proof;
  }
}
