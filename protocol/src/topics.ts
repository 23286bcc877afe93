// The MQTT topic map (DESIGN.md section 7). deviceId is the device key's DAG address.
import { isDagAddress } from './keys.ts';

export const TOPIC_ROOT = 'dg/v1';
export const TOPIC_KINDS = ['up', 'ack', 'policy', 'status'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

export const topics = {
  /** device -> gateway, QoS 1: a signed update */
  up: (deviceId: string) => `${TOPIC_ROOT}/up/${deviceId}`,
  /** gateway -> device, QoS 1: application acks */
  ack: (deviceId: string) => `${TOPIC_ROOT}/ack/${deviceId}`,
  /** gateway -> device, retained: the provider-signed consent policy */
  policy: (deviceId: string) => `${TOPIC_ROOT}/policy/${deviceId}`,
  /** device, retained, with last will: online state */
  status: (deviceId: string) => `${TOPIC_ROOT}/status/${deviceId}`,
} as const satisfies Record<TopicKind, (d: string) => string>;

/** Who may publish on each kind of topic. */
export const TOPIC_PUBLISHER: Record<TopicKind, 'device' | 'gateway'> = {
  up: 'device',
  ack: 'gateway',
  policy: 'gateway',
  status: 'device',
};

/** `dg/v1/{kind}/{deviceId}` -> its parts, or null for any other topic (wildcards included). */
export function parseTopic(topic: string): { kind: TopicKind; deviceId: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const kind = parts[2] as TopicKind;
  const deviceId = parts[3] as string;
  if (!TOPIC_KINDS.includes(kind) || !isDagAddress(deviceId)) return null;
  return { kind, deviceId };
}

/** The text a device signs as its MQTT password (DESIGN.md section 7). */
export function connectTokenMessage(deviceId: string, unixSeconds: number): string {
  return `dg-connect:${deviceId}:${unixSeconds}`;
}
