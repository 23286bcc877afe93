// User Data 0x181C: Age 0x2A80 and Gender 0x2A8C (read). Real devices gate these behind User Control Point
// consent (gatt.md B.13); the simulation serves the current user directly.
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';

export const GENDER_CODES = { male: 0, female: 1, unspecified: 2 } as const;

export class UserDataService {
  static readonly uuid = '181c';
  readonly #p: SimulatedPeripheral;

  constructor(p: SimulatedPeripheral, user: { age: number; gender: keyof typeof GENDER_CODES }) {
    this.#p = p;
    p.addService(
      UserDataService.uuid,
      [
        { uuid: '2a80', properties: ['read'], value: Buffer.from([user.age]) },
        { uuid: '2a8c', properties: ['read'], value: Buffer.from([GENDER_CODES[user.gender]]) },
      ],
      { advertise: false },
    );
  }

  setAge(age: number): void {
    this.#p.setValue(UserDataService.uuid, '2a80', Buffer.from([age]));
  }
}
