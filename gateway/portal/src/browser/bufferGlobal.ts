// Injected into the portal bundle: protocol refers to the Node global `Buffer`.
import { Buffer } from 'buffer';

export { Buffer };
