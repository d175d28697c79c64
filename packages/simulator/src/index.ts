/**
 * `@wfpkit/simulator`: where to find libwfpsim, the C model of the Windows
 * Filtering Platform that stands in for `fwpuclnt.dll` off Windows.
 *
 * The library exports the `Fwpm*` functions with the exact C signatures of
 * `fwpuclnt.dll`, so a koffi binding written for Windows loads it unchanged,
 * plus a few simulator-only `Wfpsim*` controls (reset, state file, simulated
 * client death), and the kernel32 functions of the kernel model with a TS API for its controls
 * ({@link simulatorKernel}: load/unload the driver, caller elevation, leak counters), and traffic
 * runs through the stack model into the linked wfpkit driver ({@link runCapture},
 * {@link runSynthetic}). See the package README for what the model enforces.
 *
 * @packageDocumentation
 */
export * from './paths';
export * from './kernel';
export * from './traffic';
