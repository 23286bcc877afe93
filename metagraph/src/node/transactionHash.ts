// The hash Tessellation gives a v2 transaction, computed as dag4-keystore 2.8.1 does it
// (`TransactionV2.getEncoded` + `txEncode.kryoSerialize(msg, false)` + SHA-256): a kryo string record of
// length-prefixed fields. Written from that source, and proven equal to dag4 in test/node/transactionHash.test.ts.
import { createHash } from 'node:crypto';
import type { TransactionValue } from './CurrencyTransaction.ts';

/** Kryo's variable-length string length: bit 8 of the first byte marks UTF-8, bit 7 "another byte follows". */
function kryoUtf8Length(value: number): Buffer {
  const out: number[] = [];
  if (value >>> 6 === 0) out.push(value | 0x80);
  else {
    out.push((value | 0x40 | 0x80) & 0xff);
    let rest = value >>> 6;
    while (rest >>> 7 !== 0) {
      out.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.push(rest);
  }
  return Buffer.from(out);
}

/** dag4's `TransactionV2.getEncoded()`: "2", then each field as its decimal length followed by its text. */
export function encodeTransaction(value: TransactionValue): string {
  const amountHex = BigInt(value.amount).toString(16);
  const ordinal = String(value.parent.ordinal);
  const fee = BigInt(value.fee).toString(10);
  const salt = BigInt(value.salt).toString(16);
  return [
    '2',
    String(value.source.length),
    value.source,
    String(value.destination.length),
    value.destination,
    String(amountHex.length),
    amountHex,
    String(value.parent.hash.length),
    value.parent.hash,
    String(ordinal.length),
    ordinal,
    String(fee.length),
    fee,
    String(salt.length),
    salt,
  ].join('');
}

/** Kryo serialisation without references (v2): 0x03, the length of msg + 1, the UTF-8 bytes. */
export function kryoSerialize(msg: string): Buffer {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from([0x03]), kryoUtf8Length(msg.length + 1), body]);
}

/** The transaction's hash (lowercase hex): what dag4 signs and what `POST /transactions` returns. */
export function transactionHash(value: TransactionValue): string {
  return createHash('sha256')
    .update(kryoSerialize(encodeTransaction(value)))
    .digest('hex');
}
