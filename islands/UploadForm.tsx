/**
 * Upload an image and run it through chosen variants: the form posts to `/api/jobs`, then follows the job's
 * server-sent events (queue position, progress per variant) and shows each variant's phase-I and final images,
 * with a link to its compact inversion file. The file may also be an inversion `.safetensors` (rendered, not
 * inverted again), and "align face and paste back" (for face models) shows the photo beside the result pasted
 * back into it.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useState, type VNode } from "../deps.ts";
import type { UploadVariantResult } from "../site/upload_job.ts";

/** Variants that can run uploads, by suite. */
export interface UploadFormProps {
  suites: { suite: string; variants: { variant: string; label: string }[] }[];
  maxUploadBytes: number;
  maxImageSide: number;
}

type Phase =
  | { state: "idle" }
  | { state: "running"; fraction: number; message: string }
  | {
    state: "done";
    job: string;
    variants: UploadVariantResult[];
    width: number;
    height: number;
    kind: "image" | "inversion";
    aligned: boolean;
    /** The photo as chosen (an object URL), shown beside the pasted results. */
    photo: string | null;
  }
  | { state: "failed"; message: string };

/**
 * The form.
 *
 * @param props suites with runnable variants, and the limits
 * @returns the form, the progress and the results
 */
export default function UploadForm(props: UploadFormProps): VNode {
  const [suite, setSuite] = useState(props.suites[0]?.suite ?? "");
  const [chosen, setChosen] = useState<string[]>(
    props.suites[0]?.variants.slice(0, 2).map((v) => v.variant) ?? [],
  );
  const [phase, setPhase] = useState<Phase>({ state: "idle" });
  const variants = props.suites.find((s) => s.suite === suite)?.variants ?? [];
  if (!props.suites.length) {
    return <p class="muted">No variant has a model yet: nothing can run an upload.</p>;
  }

  async function submit(event: Event) {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const chosenFile = form.get("image");
    const photo = form.get("align") && chosenFile instanceof File ? URL.createObjectURL(chosenFile) : null;
    setPhase({ state: "running", fraction: 0, message: "uploading" });
    try {
      const response = await fetch("/api/jobs", { method: "POST", body: form });
      const body = await response.json();
      if (response.status === 503) throw new Error(`Busy: ${body.message}`);
      if (!response.ok) throw new Error(body.message ?? `HTTP ${response.status}`);
      const events = new EventSource(body.events);
      events.addEventListener("queued", (e) => {
        const { position } = JSON.parse((e as MessageEvent).data);
        setPhase({ state: "running", fraction: 0, message: `queued (position ${position})` });
      });
      events.addEventListener("progress", (e) => {
        const { fraction, message } = JSON.parse((e as MessageEvent).data);
        setPhase({ state: "running", fraction, message });
      });
      events.addEventListener("done", (e) => {
        events.close();
        const { result } = JSON.parse((e as MessageEvent).data);
        setPhase({
          state: "done",
          job: body.id,
          variants: result.variants,
          width: result.width,
          height: result.height,
          kind: result.kind,
          aligned: result.aligned,
          photo,
        });
      });
      events.addEventListener("error", (e) => {
        events.close();
        const data = (e as MessageEvent).data;
        setPhase({
          state: "failed",
          message: data ? JSON.parse(data).message : "The connection to the job was lost",
        });
      });
    } catch (error) {
      setPhase({ state: "failed", message: (error as Error).message });
    }
  }

  return (
    <div>
      <form id="upload-form" onSubmit={submit}>
        <div class="toolbar">
          <label class="inline">
            Suite
            <select
              name="suite"
              value={suite}
              onChange={(e) => {
                const next = (e.target as HTMLSelectElement).value;
                setSuite(next);
                setChosen([]);
              }}
            >
              {props.suites.map((s) => <option key={s.suite} value={s.suite}>{s.suite}</option>)}
            </select>
          </label>
          {variants.map((v) => (
            <label class="inline" key={v.variant}>
              <input
                type="checkbox"
                name="variant"
                value={v.variant}
                checked={chosen.includes(v.variant)}
                onChange={() =>
                  setChosen(
                    chosen.includes(v.variant)
                      ? chosen.filter((x) => x !== v.variant)
                      : [...chosen, v.variant],
                  )}
              />
              {v.label}
            </label>
          ))}
        </div>
        <div class="toolbar">
          <input type="file" name="image" id="image" accept="image/*,.safetensors" required />
          <label class="inline" title="For face models: FFHQ-align the photo's largest face first">
            <input type="checkbox" name="align" id="align" value="1" /> align face and paste back
          </label>
          <button class="primary" type="submit" disabled={!chosen.length || phase.state === "running"}>
            Run
          </button>
          <span class="muted">
            Up to {(props.maxUploadBytes / 1024 / 1024).toFixed(0)} MB and {props.maxImageSide}{" "}
            px a side; resized to each model's resolution. Or an inversion file (<code>.safetensors</code>) of
            the chosen variants' model.
          </span>
        </div>
      </form>
      {phase.state === "running"
        ? (
          <p id="job-progress">
            <progress max={1} value={phase.fraction} /> <span id="job-message">{phase.message}</span>
          </p>
        )
        : null}
      {phase.state === "failed" ? <p class="error" id="job-error">{phase.message}</p> : null}
      {phase.state === "done"
        ? (
          <div id="job-results">
            <p class="muted">
              {phase.kind === "inversion" ? "Inversion file" : `${phase.width}×${phase.height} image`}, job
              {" "}
              {phase.job}
            </p>
            <div class="panels">
              {phase.variants.map((v) => (
                <div class="panel" key={v.variant} data-result={v.variant}>
                  <h3>{v.label}</h3>
                  <div class="row">
                    {(["input", "phase1", "final"] as const).filter((kind) => v.images[kind]).map((kind) => (
                      <figure key={kind}>
                        <img
                          class="pixel"
                          src={`/api/jobs/${phase.job}/files/${v.images[kind]}`}
                          alt={`${v.label} ${kind}`}
                        />
                        <figcaption>
                          {kind === "phase1" ? "phase I" : kind === "final" ? "final" : "input"}
                        </figcaption>
                      </figure>
                    ))}
                  </div>
                  {v.images.pasted
                    ? (
                      <div class="row">
                        {phase.photo
                          ? (
                            <figure>
                              <img class="photo" src={phase.photo} alt="the photo" />
                              <figcaption>photo</figcaption>
                            </figure>
                          )
                          : null}
                        <figure>
                          <img
                            class="photo"
                            src={`/api/jobs/${phase.job}/files/${v.images.pasted}`}
                            alt={`${v.label} pasted back`}
                          />
                          <figcaption>pasted back</figcaption>
                        </figure>
                      </div>
                    )
                    : null}
                  {v.psnr !== null
                    ? (
                      <p class="muted">
                        PSNR <span class="psnr">{v.psnr.toFixed(2)}</span> dB (phase I{" "}
                        {(v.phaseOnePsnr ?? 0).toFixed(2)}), L2 {(v.l2 ?? 0).toFixed(4)},{" "}
                        {v.milliseconds.toFixed(0)} ms on {v.provider}
                      </p>
                    )
                    : <p class="muted">Rendered from the inversion file in {v.milliseconds.toFixed(0)} ms</p>}
                  {v.inversion
                    ? (
                      <p>
                        <a
                          class="inversion-file"
                          href={`/api/jobs/${phase.job}/files/${v.inversion}`}
                          download={`${v.variant}.safetensors`}
                        >
                          Inversion file
                        </a>{" "}
                        <span class="muted">(w and the codes v: re-upload it to render it again)</span>
                      </p>
                    )
                    : null}
                </div>
              ))}
            </div>
          </div>
        )
        : null}
    </div>
  );
}
