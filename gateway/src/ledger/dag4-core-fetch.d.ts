// dag4-core ships no declaration for this deep path (LedgerClient uses it to give dag4 a fetch with a timeout).
declare module '@stardust-collective/dag4-core/dist/cjs/cross-platform/clients/fetch.http.js' {
  export class FetchRestService {
    constructor(fetch: (url: string, init: RequestInit) => Promise<Response>);
  }
}
