/**
 * Fresh's conventions on Hono: a file under `routes/` is a URL (`index.tsx` → its folder, `[name]` → a
 * parameter), a route module exports `handler` (per method) and/or a default page component, `_app.tsx` wraps
 * every page, and an island (`islands/*.tsx`, a default-exported component) is rendered on the server inside a
 * marker that its browser bundle hydrates.
 *
 * @module
 */

/** @jsx h */
/** @jsxFrag Fragment */
import { Fragment, type FunctionComponent, h, type Hono, renderToString, type VNode } from "../deps.ts";
import type { SiteState } from "./state.ts";
import { errorResponse, publicError } from "./http.ts";
import { errorPage } from "../components/ErrorPage.tsx";

/** What a handler gets besides the request. */
export interface RouteContext<Data = unknown> {
  /** Route parameters, percent-decoded (`[suite]` → `params.suite`); validate them before use. */
  params: Record<string, string>;
  url: URL;
  state: SiteState;
  /** Renders the route's page with `data` (status 200 unless `init` says otherwise). */
  render(data: Data, init?: ResponseInit): Response;
}

/** A handler of one method. */
export type Handler<Data = unknown> = (
  request: Request,
  context: RouteContext<Data>,
) => Response | Promise<Response>;

/** Handlers by method. */
export type Handlers<Data = unknown> = Partial<Record<"GET" | "POST", Handler<Data>>>;

/** What a page component gets. */
export interface PageProps<Data = unknown> {
  data: Data;
  params: Record<string, string>;
  url: URL;
}

/** A module under `routes/`. */
export interface RouteModule {
  // deno-lint-ignore no-explicit-any -- each route has its own data type
  handler?: Handlers<any>;
  // deno-lint-ignore no-explicit-any -- each route has its own data type
  default?: FunctionComponent<PageProps<any>>;
}

/** `routes/_app.tsx`: the document around every page. */
export interface AppProps {
  Component: FunctionComponent;
  url: URL;
}

/** The routes and islands of the site (see `manifest.ts`). */
export interface Manifest {
  /** Route modules by their file path relative to the repository (`routes/suites/[suite]/index.tsx`). */
  routes: Record<string, RouteModule>;
  /** `routes/_app.tsx`. */
  app: { default: FunctionComponent<AppProps> };
  /** Island names (`islands/<Name>.tsx`). */
  islands: string[];
}

/**
 * The URL pattern of a route file, in Hono's syntax.
 *
 * @param file path under the repository, e.g. `routes/suites/[suite]/index.tsx`
 * @returns e.g. `/suites/:suite`
 * @throws {RangeError} for a file outside `routes/` or with a name that is not a route
 * @example
 * ```ts
 * import { routePattern } from "./fresh.tsx";
 * console.log(routePattern("routes/suites/[suite]/[variant].tsx")); // "/suites/:suite/:variant"
 * console.log(routePattern("routes/index.tsx")); // "/"
 * ```
 */
export function routePattern(file: string): string {
  const match = /^routes\/(.+)\.tsx?$/.exec(file);
  if (!match) throw new RangeError(`Route file "${file}" is not a .ts/.tsx file under routes/`);
  const segments = match[1].split("/");
  if (segments.at(-1) === "index") segments.pop();
  const parts = segments.map((segment) => {
    const parameter = /^\[([a-zA-Z_][a-zA-Z0-9_]*)\]$/.exec(segment);
    if (parameter) return `:${parameter[1]}`;
    if (!/^[a-z0-9_.-]+$/i.test(segment) || segment.startsWith("_")) {
      throw new RangeError(`Route file "${file}" has a segment "${segment}" that is not a route name`);
    }
    return segment;
  });
  return `/${parts.join("/")}`;
}

/** Static segments first, then fewer parameters: `/suites/:suite/compare` before `/suites/:suite/:variant`. */
function specificity(pattern: string): number[] {
  return pattern.split("/").slice(1).map((s) => (s.startsWith(":") ? 1 : 0));
}

function compareSpecificity(a: string, b: string): number {
  const x = specificity(a), y = specificity(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return y.length - x.length;
}

/**
 * Renders a page into a full HTML document with the app shell.
 *
 * @param app the `_app` component
 * @param page the page component and its props
 * @param init status and headers
 * @returns the HTML response
 */
export function renderPage<Data>(
  app: FunctionComponent<AppProps>,
  page: { component: FunctionComponent<PageProps<Data>>; props: PageProps<Data> },
  init: ResponseInit = {},
): Response {
  const Component = () => h(page.component, page.props);
  const html = "<!DOCTYPE html>" + renderToString(h(app, { Component, url: page.props.url }));
  const headers = new Headers(init.headers);
  headers.set("content-type", "text/html; charset=utf-8");
  return new Response(html, { ...init, headers });
}

/**
 * Registers every route of the manifest on a Hono app. What a handler throws takes one path: a route with a
 * page answers `components/ErrorPage.tsx`'s page, an API route JSON (`site/http.ts` errorResponse), each with
 * the status that fits the error (400, 404, 413/422 for a refused upload, 503 for a full queue, 500).
 *
 * @param app the Hono app
 * @param manifest routes, app shell and islands
 * @param state what handlers share (the results root, the job queue, the workers, the limits)
 * @returns the patterns registered, in matching order
 */
export function registerRoutes(app: Hono, manifest: Manifest, state: SiteState): string[] {
  const entries = Object.entries(manifest.routes)
    .filter(([file]) => !/\/_[^/]*$/.test(file))
    .map(([file, module]) => ({ file, module, pattern: routePattern(file) }))
    .sort((a, b) => compareSpecificity(a.pattern, b.pattern));
  for (const { file, module, pattern } of entries) {
    const page = module.default;
    const handlers: Handlers = module.handler ?? {};
    if (!page && !handlers.GET && !handlers.POST) {
      throw new TypeError(`Route "${file}" exports neither a handler nor a page`);
    }
    for (const method of ["GET", "POST"] as const) {
      const handler = handlers[method] ??
        (method === "GET" && page ? (_request, ctx) => ctx.render(undefined) : null);
      if (!handler) continue;
      const on = method === "GET" ? app.get.bind(app) : app.post.bind(app);
      on(pattern, async (c) => {
        const url = new URL(c.req.url);
        const params = c.req.param() as Record<string, string>;
        const context: RouteContext = {
          params,
          url,
          state,
          render(data, init) {
            if (!page) throw new TypeError(`Route "${file}" has no page to render`);
            return renderPage(manifest.app.default, { component: page, props: { data, params, url } }, init);
          },
        };
        try {
          return await handler(c.req.raw, context);
        } catch (error) {
          // The one error path of every route: a page shows the error page, an API answers JSON; neither
          // shows server paths (site/http.ts describeError).
          return page ? errorPage(publicError(error)) : errorResponse(error);
        }
      });
    }
  }
  return entries.map((e) => e.pattern);
}

/** Props of {@linkcode Island}. */
export interface IslandProps<P extends object> {
  /** The island's file name without `.tsx` (`islands/<name>.tsx`). */
  name: string;
  component: FunctionComponent<P>;
  /** Serializable props (they travel as JSON to the browser). */
  props: P;
}

/**
 * Renders an island on the server inside a marker that its bundle (`/islands/<name>.js`) hydrates.
 *
 * @param props name, component and its props
 * @returns the marked element and the bundle's script
 */
export function Island<P extends object>({ name, component, props }: IslandProps<P>): VNode {
  return (
    <>
      <div data-island={name} data-props={JSON.stringify(props)}>
        {h(component as FunctionComponent<object>, props as object)}
      </div>
      <script type="module" src={`/islands/${name}.js`} />
    </>
  );
}
