// Worker entry: TypeScript through tsx, as bin/datagraph.mjs runs the rest (a worker starts without its hooks).
import { register } from 'tsx/esm/api';

register();
await import('./verifyWorkerThread.ts');
