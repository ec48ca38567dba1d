// Types for Spin's key-value WIT interface as componentize-js exposes it to the guest
// (a WIT `result` error surfaces as a thrown value).
declare module 'fermyon:spin/key-value@2.0.0' {
  export class Store {
    static open(label: string): Store;
    get(key: string): Uint8Array | undefined;
    set(key: string, value: Uint8Array): void;
    delete(key: string): void;
    exists(key: string): boolean;
    getKeys(): string[];
  }
}
