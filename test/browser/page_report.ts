// The page side of the harness protocol (harness.ts); imported by page scripts, so browser-only.

/** For page scripts: runs `main`, shows its result in #out and hands it to the harness. */
export function reportFromPage<T>(main: () => Promise<T>): void {
  const w = window as { __tfpResult?: unknown; __tfpError?: string };
  const out = document.getElementById('out');
  main().then(
    (r) => {
      if (out) out.textContent = JSON.stringify(r, null, 1).slice(0, 4000);
      w.__tfpResult = r;
    },
    (e: unknown) => {
      const msg = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
      if (out) out.textContent = `FAILED: ${msg}`;
      w.__tfpError = msg;
    },
  );
}
