// Bounds-checked little-endian reader for GATT payloads: every short read is AG_BLE_TRUNCATED, every
// byte left over is AG_BLE_MALFORMED, so a decoder never returns a value built from garbage.
import { ProtocolError } from '@datagraph/protocol';
import { decodeFloat, decodeSfloat, type MedFloat } from './ieee11073.ts';

export class ByteReader {
  readonly #buf: Buffer;
  readonly #what: string;
  #off = 0;

  constructor(buf: Buffer, what: string) {
    if (!Buffer.isBuffer(buf)) throw new ProtocolError('AG_BLE_MALFORMED', `${what}: payload is not a Buffer`);
    this.#buf = buf;
    this.#what = what;
  }

  get remaining(): number {
    return this.#buf.length - this.#off;
  }

  #take(n: number): number {
    if (this.remaining < n) {
      throw new ProtocolError('AG_BLE_TRUNCATED', `${this.#what}: needs ${n} more byte(s) at offset ${this.#off}`, {
        details: { characteristic: this.#what, offset: this.#off, length: this.#buf.length },
      });
    }
    const at = this.#off;
    this.#off += n;
    return at;
  }

  u8(): number {
    return this.#buf.readUInt8(this.#take(1));
  }
  s8(): number {
    return this.#buf.readInt8(this.#take(1));
  }
  u16(): number {
    return this.#buf.readUInt16LE(this.#take(2));
  }
  u24(): number {
    return this.#buf.readUIntLE(this.#take(3), 3);
  }
  u32(): number {
    return this.#buf.readUInt32LE(this.#take(4));
  }
  skip(n: number): void {
    this.#take(n);
  }
  sfloat(): MedFloat {
    return decodeSfloat(this.u16());
  }
  float(): MedFloat {
    return decodeFloat(this.u32());
  }

  /** Fail on leftover bytes: a payload longer than its flags announce is not trusted. */
  end(): void {
    if (this.remaining !== 0) this.malformed(`${this.remaining} unexpected trailing byte(s)`);
  }

  malformed(why: string): never {
    throw new ProtocolError('AG_BLE_MALFORMED', `${this.#what}: ${why}`, {
      details: { characteristic: this.#what, offset: this.#off, length: this.#buf.length },
    });
  }
}
