// The portal's state: the unlocked key lives only in this page's memory (never stored, never sent), the
// session token, the dashboard the gateway returned, and devices paired in this visit but not yet registered.
import type { ConsentPolicy, RegisteredDevice } from '@datagraph/protocol';
import { call, PortalError } from './api.ts';
import type { KeyPair } from './wallet.ts';
import { signChallenge } from './wallet.ts';

export interface Dashboard {
  provider: string;
  session: { expiresAt: number };
  registration: { status: string; policyVersion: number; devices: RegisteredDevice[]; policy: ConsentPolicy } | null;
  shared: { rows: number; days: { day: number; rows: number; fields: Record<string, number> }[]; truncated: boolean };
  earnings: {
    totals: { earned: string; paid: string; paidConfirmed: string; carried: string };
    cycles: { cycle: number; state: string; plannedAt: number; lines: { reason: string; amount: string }[] }[];
  } | null;
  usage: { queryId: string; cycle: number; rows: number; amount: string }[] | null;
}

export interface AppState {
  key?: KeyPair;
  token?: string;
  dash?: Dashboard;
  pending: RegisteredDevice[];
  /** Shown once on the next page (e.g. "session expired"). */
  flash?: { kind: 'error' | 'ok' | 'info'; text: string };
}

export async function signIn(state: AppState, key: KeyPair): Promise<void> {
  const { challenge } = await call<{ challenge: string }>('POST', '/portal/api/challenge', { address: key.address });
  const s = await call<{ token: string }>('POST', '/portal/api/session', {
    challenge,
    publicKey: key.publicKey,
    signature: signChallenge(key, challenge),
  });
  state.key = key;
  state.token = s.token;
}

export function signOut(state: AppState, flash?: AppState['flash']): void {
  state.key = undefined;
  state.token = undefined;
  state.dash = undefined;
  state.pending = [];
  state.flash = flash;
}

/** Reload the dashboard; an expired or unknown session signs out with the gateway's message. */
export async function refresh(state: AppState): Promise<boolean> {
  try {
    state.dash = await call<Dashboard>('GET', '/portal/api/dashboard', undefined, state.token);
    return true;
  } catch (e) {
    if (e instanceof PortalError && e.status === 401) {
      signOut(state, { kind: 'error', text: `${e.message} (${e.code})` });
      return false;
    }
    throw e;
  }
}
