/**
 * Edits and interpolation for one variant: a sample inverted by the variant, w moved by γ along a learned
 * InterFaceGAN direction or γ standard deviations along a principal direction of W, with the predicted ΔW reused
 * (or none: phase I only); and two samples
 * interpolated in w and ΔW at t. Images come from the server's workers as PNG.
 *
 * @module
 */

/// <reference lib="dom" />
/** @jsx h */
import { h, useEffect, useRef, useState, type VNode } from "../deps.ts";

/** Props of {@linkcode EditPanel}. */
export interface EditPanelProps {
  suite: string;
  variant: string;
  samples: string[];
  components: number;
  /** Learned InterFaceGAN directions (attribute names). */
  learned: string[];
  /** The variant renders phase I only (no ΔW to reuse). */
  phaseOneOnly: boolean;
}

/** Fetches an image URL after a short pause (slider moves), showing errors such as "busy"; the newest wins. */
function useRendered(url: string): { src: string | null; error: string | null; loading: boolean } {
  const [state, setState] = useState<{ src: string | null; error: string | null; loading: boolean }>({
    src: null,
    error: null,
    loading: true,
  });
  const current = useRef<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(async () => {
      try {
        const response = await fetch(url, { signal: controller.signal });
        if (!response.ok) {
          const body = await response.json().catch(() => ({ message: response.statusText }));
          throw new Error(`${response.status}: ${body.message ?? body.error}`);
        }
        const src = URL.createObjectURL(await response.blob());
        if (current.current) URL.revokeObjectURL(current.current);
        current.current = src;
        setState({ src, error: null, loading: false });
      } catch (error) {
        if (!controller.signal.aborted) {
          setState((s) => ({ ...s, error: (error as Error).message, loading: false }));
        }
      }
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [url]);
  return state;
}

function Rendered(props: { id: string; url: string; caption: string }): VNode {
  const { src, error, loading } = useRendered(props.url);
  return (
    <figure>
      {src
        ? <img class="pixel" id={props.id} src={src} alt={props.caption} data-url={props.url} />
        : <div class="pixel" style="width: 128px; height: 128px; background: #ddd" />}
      <figcaption>
        {props.caption}
        {loading ? " …" : ""}
        {error ? <span class="error">{` ${error}`}</span> : null}
      </figcaption>
    </figure>
  );
}

/**
 * The panel.
 *
 * @param props variant, samples and directions
 * @returns edit and interpolation controls with their images
 */
export default function EditPanel(props: EditPanelProps): VNode {
  const base = `/api/suites/${props.suite}/${props.variant}`;
  const [sample, setSample] = useState(props.samples[0] ?? "00");
  // "pc:<k>" (a principal direction of W) or "learned:<name>" (an InterFaceGAN normal).
  const [direction, setDirection] = useState(props.learned.length ? `learned:${props.learned[0]}` : "pc:0");
  const [gamma, setGamma] = useState(2);
  const [phaseOne, setPhaseOne] = useState(props.phaseOneOnly);
  const [a, setA] = useState(props.samples[0] ?? "00");
  const [b, setB] = useState(props.samples[1] ?? props.samples[0] ?? "00");
  const [t, setT] = useState(0.5);
  const [latentOnly, setLatentOnly] = useState(props.phaseOneOnly);
  if (!props.samples.length) return <p class="muted">This variant has no sample images to edit.</p>;
  const p1 = phaseOne ? "&phase1=1" : "";
  const along = direction.startsWith("learned:")
    ? `direction=${encodeURIComponent(direction.slice(8))}`
    : `component=${direction.slice(3)}`;
  const select = (id: string, value: string, set: (v: string) => void) => (
    <select
      id={id}
      value={value}
      onChange={(e) => set((e.target as HTMLSelectElement).value)}
    >
      {props.samples.map((s) => <option key={s} value={s}>{s}</option>)}
    </select>
  );
  return (
    <div>
      <h2>Edit (γ along a learned attribute direction or a principal direction of W)</h2>
      <div class="toolbar">
        <label class="inline">Sample {select("edit-sample", sample, setSample)}</label>
        <label class="inline">
          Direction
          <select
            id="edit-direction"
            value={direction}
            onChange={(e) => setDirection((e.target as HTMLSelectElement).value)}
          >
            {props.learned.map((name) => (
              <option key={name} value={`learned:${name}`}>{name} (learned)</option>
            ))}
            {Array.from(
              { length: props.components },
              (_, k) => <option key={k} value={`pc:${k}`}>PC {k + 1}</option>,
            )}
          </select>
        </label>
        <label class="inline">
          γ
          <input
            id="gamma"
            type="range"
            min="-5"
            max="5"
            step="0.25"
            value={gamma}
            onInput={(e) => setGamma(Number((e.target as HTMLInputElement).value))}
          />
          <span id="gamma-value">{gamma.toFixed(2)}</span>
        </label>
        <label class="inline">
          <input
            type="checkbox"
            id="edit-phase1"
            checked={phaseOne}
            disabled={props.phaseOneOnly}
            onChange={(e) => setPhaseOne((e.target as HTMLInputElement).checked)}
          />
          ΔW = 0 (phase I)
        </label>
      </div>
      <div class="row">
        <figure>
          <img class="pixel" src={`${base}/samples/${sample}_input.png`} alt={`input ${sample}`} />
          <figcaption>input</figcaption>
        </figure>
        <Rendered
          id="edit-reconstruction"
          url={`${base}/edit?sample=${sample}&${along}&gamma=0${p1}`}
          caption="reconstruction (γ = 0)"
        />
        <Rendered
          id="edit-result"
          url={`${base}/edit?sample=${sample}&${along}&gamma=${gamma}${p1}`}
          caption={`edited (γ = ${gamma})`}
        />
      </div>
      <h2>Interpolation (w and ΔW)</h2>
      <div class="toolbar">
        <label class="inline">From {select("interp-a", a, setA)}</label>
        <label class="inline">to {select("interp-b", b, setB)}</label>
        <label class="inline">
          t
          <input
            id="interp-t"
            type="range"
            min="0"
            max="1"
            step="0.05"
            value={t}
            onInput={(e) => setT(Number((e.target as HTMLInputElement).value))}
          />
          <span>{t.toFixed(2)}</span>
        </label>
        <label class="inline">
          <input
            type="checkbox"
            id="interp-latent"
            checked={latentOnly}
            disabled={props.phaseOneOnly}
            onChange={(e) => setLatentOnly((e.target as HTMLInputElement).checked)}
          />
          w only (ΔW = 0)
        </label>
      </div>
      <div class="row">
        <figure>
          <img class="pixel" src={`${base}/samples/${a}_input.png`} alt={`input ${a}`} />
          <figcaption>{a}</figcaption>
        </figure>
        <Rendered
          id="interp-result"
          url={`${base}/interpolate?a=${a}&b=${b}&t=${t}${latentOnly ? "&latent=1" : ""}`}
          caption={`t = ${t.toFixed(2)}`}
        />
        <figure>
          <img class="pixel" src={`${base}/samples/${b}_input.png`} alt={`input ${b}`} />
          <figcaption>{b}</figcaption>
        </figure>
      </div>
    </div>
  );
}
