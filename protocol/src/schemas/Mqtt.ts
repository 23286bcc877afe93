// MQTT payloads other than the update itself (DESIGN.md section 7).
import { z } from 'zod';
import { ErrorCodeString } from './errorCode.ts';

export const AckStatus = z.enum(['accepted', 'duplicate', 'rejected', 'committed']);
export type AckStatus = z.infer<typeof AckStatus>;

export const Ack = z
  .object({
    id: z.string().max(64),
    status: AckStatus,
    code: ErrorCodeString.optional(),
    message: z.string().max(500).optional(),
    ordinal: z.number().int().nonnegative().optional(),
  })
  .strict();
export type Ack = z.infer<typeof Ack>;

export const DeviceStatus = z
  .object({
    state: z.enum(['online', 'offline']),
    battery: z.number().int().min(0).max(100).optional(),
    agentVersion: z.string().max(32).optional(),
    at: z.number().int().nonnegative().optional(),
  })
  .strict();
export type DeviceStatus = z.infer<typeof DeviceStatus>;
