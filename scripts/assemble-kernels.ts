/** Assembles WebAssembly text with SIMD into module bytes (wabt, a dev dependency: build and tests only). */
import wabtInit from 'wabt';

export async function assembleKernels(wat: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('kernels.wat', wat, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    mod.destroy();
  }
}
