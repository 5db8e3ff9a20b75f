/**
 * The WebAssembly SIMD kernels of softmax-head training (kernels.wat): a class's logits, the gradient rows of the
 * active classes, and one Adam step, four float32 lanes at a time. Training spends nearly all its time in these
 * loops; in plain JavaScript they ran one multiply at a time. One instance per thread, compiled on first use from
 * the bytes in kernels.wasm.ts; its memory is a scratch arena that each training run lays out anew.
 */
import { KERNELS_WASM } from './kernels.wasm.ts';

/** The little of the WebAssembly API used here (the project's type libraries don't declare it). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

export interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  logits(
    w: number,
    b: number,
    C: number,
    width: number,
    dense: number,
    x: number,
    sparse: number,
    ns: number,
    out: number,
  ): void;
  accumulate(
    gw: number,
    width: number,
    dense: number,
    x: number,
    sparse: number,
    ns: number,
    active: number,
    scales: number,
    na: number,
  ): void;
  adam(
    w: number,
    gw: number,
    mw: number,
    vw: number,
    n: number,
    l2: number,
    beta1: number,
    beta2: number,
    a: number,
    k: number,
  ): void;
}

let compiled: object | undefined;
let instance: Exports | undefined;

/** A new instance of the kernels, with a memory of its own (the module is compiled once per thread). */
export function newKernels(): Exports {
  compiled ??= new wasm.Module(Uint8Array.from(atob(KERNELS_WASM), (c) => c.charCodeAt(0)));
  return new wasm.Instance(compiled).exports as Exports;
}

/** The kernels of this thread, whose memory is training's scratch arena (see `layout`). */
export function kernels(): Exports {
  instance ??= newKernels();
  return instance;
}

/**
 * Lays out blocks in a kernels instance's memory (by default this thread's training arena), 16-byte aligned,
 * growing it as needed. The typed views cover the whole memory and stay valid until the next `layout` of the same
 * instance (growing detaches them).
 */
export function layout<const K extends string>(
  sizes: Record<K, number>,
  k: Exports = kernels(),
): { at: Record<K, number>; f32: Float32Array; i32: Int32Array } {
  const at = {} as Record<K, number>;
  let end = 0;
  for (const name of Object.keys(sizes) as K[]) {
    at[name] = end;
    end += Math.ceil(sizes[name] / 16) * 16;
  }
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
  return { at, f32: new Float32Array(k.memory.buffer), i32: new Int32Array(k.memory.buffer) };
}
