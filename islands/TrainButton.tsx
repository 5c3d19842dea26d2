/**
 * Train (and evaluate) a variant from its page: posts to `/api/suites/:suite/:variant/train` and follows the
 * run's server-sent events (steps and losses), then reloads the page to show the results.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useState, type VNode } from "../deps.ts";

/** Props of {@linkcode TrainButton}. */
export interface TrainButtonProps {
  suite: string;
  variant: string;
  /** Button text, e.g. "Train and evaluate" or "Evaluate". */
  action: string;
}

/**
 * The button and the run's progress.
 *
 * @param props suite, variant, button text
 * @returns the button, progress and errors
 */
export default function TrainButton(props: TrainButtonProps): VNode {
  const [state, setState] = useState<{ fraction: number; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function start() {
    setError(null);
    setState({ fraction: 0, message: "starting" });
    try {
      const response = await fetch(`/api/suites/${props.suite}/${props.variant}/train`, { method: "POST" });
      const body = await response.json();
      if (!response.ok) throw new Error(response.status === 503 ? `Busy: ${body.message}` : body.message);
      const events = new EventSource(body.events);
      events.addEventListener("queued", () => setState({ fraction: 0, message: "queued" }));
      events.addEventListener("progress", (e) => setState(JSON.parse((e as MessageEvent).data)));
      events.addEventListener("done", () => {
        events.close();
        setState({ fraction: 1, message: "done: reloading" });
        location.reload();
      });
      events.addEventListener("error", (e) => {
        events.close();
        const data = (e as MessageEvent).data;
        setState(null);
        setError(data ? JSON.parse(data).message : "The connection to the run was lost");
      });
    } catch (e) {
      setState(null);
      setError((e as Error).message);
    }
  }
  return (
    <div class="toolbar" id="train">
      <button type="button" class="primary" onClick={start} disabled={state !== null}>{props.action}</button>
      {state
        ? (
          <span>
            <progress max={1} value={state.fraction} /> <span id="train-message">{state.message}</span>
          </span>
        )
        : null}
      {error ? <span class="error" id="train-error">{error}</span> : null}
    </div>
  );
}
