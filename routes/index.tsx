/**
 * `/`: the suites of ablation experiments.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../deps.ts";
import { listSuites } from "../experiments/store.ts";
import type { Handlers, PageProps } from "../site/fresh.tsx";

type Data = Awaited<ReturnType<typeof listSuites>>;

/** Lists the suites. */
export const handler: Handlers<Data> = {
  async GET(_request, ctx) {
    return ctx.render(await listSuites(ctx.state.experimentsRoot));
  },
};

/**
 * The page.
 *
 * @param props the suites
 * @returns the list
 */
export default function Home({ data }: PageProps<Data>): VNode {
  return (
    <div>
      <h1>Ablation suites</h1>
      {data.length === 0
        ? (
          <p class="muted">
            No suites yet: add <code>data/suites/&lt;name&gt;.json</code> and run{" "}
            <code>deno task ablate &lt;name&gt;</code>.
          </p>
        )
        : (
          <table class="data">
            <thead>
              <tr>
                <th>Suite</th>
                <th class="text">Description</th>
                <th>Variants</th>
              </tr>
            </thead>
            <tbody>
              {data.map((suite) => (
                <tr key={suite.name}>
                  <td>
                    <a href={`/suites/${suite.name}`}>{suite.name}</a>
                  </td>
                  <td class="text" style="white-space: normal">{suite.description}</td>
                  <td>{suite.variants}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <p>
        <a href="/upload">Upload an image</a> and run it through chosen variants.
      </p>
    </div>
  );
}
