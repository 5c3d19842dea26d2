/**
 * A small server-rendered table of chosen variants' metrics, with the paper's numbers where they exist.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../deps.ts";
import type { VariantResult } from "../experiments/store.ts";

const cell = (value: unknown, digits: number) =>
  typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "–";

/**
 * The table.
 *
 * @param props the variants' results
 * @returns the table
 */
export function MetricsTable({ results }: { results: VariantResult[] }): VNode {
  return (
    <table class="data metrics">
      <thead>
        <tr>
          <th class="text">Variant</th>
          <th>L2</th>
          <th>PSNR</th>
          <th>MS-SSIM</th>
          <th>Feat. ID</th>
          <th>ms/img</th>
          <th>Params</th>
          <th class="paper">paper L2</th>
          <th class="paper">paper PSNR</th>
        </tr>
      </thead>
      <tbody>
        {results.map((r) => (
          <tr key={r.variant}>
            <td class="text">{r.label}</td>
            <td>{cell(r.metrics?.l2, 4)}</td>
            <td>{cell(r.metrics?.psnr, 2)}</td>
            <td>{cell(r.metrics?.msSsim, 4)}</td>
            <td>{cell(r.metrics?.featureIdentity, 4)}</td>
            <td>{cell(r.metrics?.msPerImage, 1)}</td>
            <td>{r.metrics ? r.metrics.parameters.toLocaleString("en-US") : "–"}</td>
            <td class="paper">{cell(r.paper?.l2, 4)}</td>
            <td class="paper">{cell(r.paper?.psnr, 2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
