// Types for Spin's variables WIT interface as componentize-js exposes it to the guest (a WIT
// `result` error surfaces as a thrown value whose `payload` is the `error` variant).
declare module 'fermyon:spin/variables@2.0.0' {
  export function get(name: string): string;
}
