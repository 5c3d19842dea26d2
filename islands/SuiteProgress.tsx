/**
 * A suite's live progress: each variant's state (queued, running, evaluating, done, failed), step of steps, host
 * and Slurm job, polled from `GET /api/suites/:suite/progress` (the store's `progress.json` files, which `ablate`
 * writes from any machine sharing the experiments folder). Polls while anything is under way, and slowly
 * otherwise so that a run started elsewhere appears.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useEffect, useState, type VNode } from "../deps.ts";
import type { VariantProgressRow } from "../site/suite_progress.ts";

/** Props of {@linkcode SuiteProgress}. */
export interface SuiteProgressProps {
  suite: string;
  /** The progress when the page was rendered. */
  variants: VariantProgressRow[];
  /** Milliseconds between polls while a variant is under way (default 2000; idle: 5× that). */
  interval?: number;
}

/**
 * The progress table.
 *
 * @param props suite, first reading, poll interval
 * @returns the table (nothing when no variant has a progress file)
 */
export default function SuiteProgress(
  { suite, variants: initial, interval = 2000 }: SuiteProgressProps,
): VNode {
  const [variants, setVariants] = useState(initial);
  const [polled, setPolled] = useState<string>("");
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const response = await fetch(`/api/suites/${suite}/progress`, { cache: "no-store" });
        if (response.ok) {
          const body = await response.json() as { active: boolean; variants: VariantProgressRow[] };
          if (stopped) return;
          setVariants(body.variants);
          setPolled(new Date().toLocaleTimeString());
          timer = setTimeout(poll, body.active ? interval : interval * 5);
          return;
        }
      } catch {
        // the server restarted: try again later
      }
      if (!stopped) timer = setTimeout(poll, interval * 5);
    };
    timer = setTimeout(poll, interval);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [suite, interval]);
  const withProgress = variants.filter((v) => v.progress);
  return (
    <div id="suite-progress" data-polled={polled}>
      {withProgress.length
        ? (
          <table class="data progress">
            <thead>
              <tr>
                <th class="text">Variant</th>
                <th class="text">State</th>
                <th class="text">Step</th>
                <th class="text">Host</th>
                <th class="text">Job</th>
                <th class="text">Updated</th>
              </tr>
            </thead>
            <tbody>
              {withProgress.map(({ variant, label, progress: p }) => (
                <tr key={variant} data-variant={variant} data-state={p!.state}>
                  <td class="text">{label}</td>
                  <td class={`text state-${p!.state}`} title={p!.error ?? undefined}>{p!.state}</td>
                  <td class="text step">
                    {p!.steps
                      ? (
                        <span>
                          <progress max={p!.steps} value={p!.step ?? 0} /> {p!.step ?? 0}/{p!.steps}
                        </span>
                      )
                      : "–"}
                  </td>
                  <td class="text">{p!.host}</td>
                  <td class="text">{p!.jobId ?? "–"}</td>
                  <td class="text">{p!.updatedAt.replace("T", " ").replace(/\.\d+Z$/, "Z")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : <p class="muted">No run of this suite has reported progress (deno task ablate {suite}).</p>}
    </div>
  );
}
