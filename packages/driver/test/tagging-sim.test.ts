// Packet tagging of wfpkit.sys running inside the simulator's libwfpsim:
// packages/simulator/native/test/driver/tagging_driver_test.c adds transport and IP packet
// layer filters through the Fwpm API, runs the committed loopback capture and checks the
// PACKET_TAGGED / PACKET_NOTIFY records (snaps starting at the TCP / IP header both ways),
// the counters, the SET_CONFIG checks, and an unload while a paced run on another thread
// keeps tagged NBLs in flight. Also built with the ...AssociateContext0 fallback.
// Built in a private directory (the shared libwfpsim build is not touched), plain and under
// AddressSanitizer + LeakSanitizer + UBSan.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const native = path.resolve(__dirname, "..", "..", "simulator", "native");
const capture = path.resolve(
  __dirname,
  "..",
  "..",
  "simulator",
  "test",
  "fixtures",
  "loopback.pcap"
);

function buildAndRun(
  asan: boolean,
  associate0 = false
): { stdout: string; stderr: string; status: number | null } {
  const build = mkdtempSync(
    path.join(
      tmpdir(),
      `wfpkit-tagging-${asan ? "asan" : associate0 ? "assoc0" : "plain"}-`
    )
  );
  try {
    const cfg = spawnSync(
      "cmake",
      [
        "-S",
        native,
        "-B",
        build,
        "-DCMAKE_BUILD_TYPE=Debug",
        `-DWFPSIM_ASAN=${asan ? "ON" : "OFF"}`,
        // The driver's fallback to FwpsNetBufferListAssociateContext0 (FN0 notify functions).
        ...(associate0 ? ["-DCMAKE_C_FLAGS=-DWK_SIMULATED_ASSOCIATE0=1"] : []),
      ],
      { encoding: "utf8" }
    );
    if (cfg.status !== 0)
      throw new Error(`cmake configure failed:\n${cfg.stdout}\n${cfg.stderr}`);
    const b = spawnSync(
      "cmake",
      ["--build", build, "--target", "tagging_driver_test", "--parallel"],
      { encoding: "utf8" }
    );
    if (b.status !== 0)
      throw new Error(`cmake build failed:\n${b.stdout}\n${b.stderr}`);
    const r = spawnSync(
      path.join(build, "tagging_driver_test"),
      associate0 ? [capture, "associate0"] : [capture],
      {
        encoding: "utf8",
        timeout: 240_000,
        env: {
          ...process.env,
          ASAN_OPTIONS: "detect_leaks=1:abort_on_error=0",
          UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1",
        },
      }
    );
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
}

function expectAllPassed(out: string, status: number | null): void {
  const last = out.trim().split("\n").pop() ?? "";
  if (status !== 0 || !/^\d+ passed, 0 failed$/.test(last)) {
    throw new Error(`tagging_driver_test failed (${String(status)}):\n${out}`);
  }
  expect(Number(/^(\d+) passed/.exec(last)?.[1])).toBeGreaterThan(110);
}

describe("packet tagging in libwfpsim (C)", () => {
  it("tags the capture, reports every notify, and unloads clean", () => {
    const r = buildAndRun(false);
    expectAllPassed(r.stdout, r.status);
  }, 400_000);

  it("tags the same way with the ...AssociateContext0 fallback (WK_SIMULATED_ASSOCIATE0=1)", () => {
    const r = buildAndRun(false, true);
    expectAllPassed(r.stdout, r.status);
  }, 400_000);

  it("is clean under AddressSanitizer, LeakSanitizer and UBSan", () => {
    const r = buildAndRun(true);
    expectAllPassed(r.stdout, r.status);
    expect(r.stderr).not.toMatch(
      /runtime error|AddressSanitizer|LeakSanitizer/
    );
  }, 600_000);
});
