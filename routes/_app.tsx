/**
 * The document around every page: head, site header, main.
 *
 * @module
 */

/** @jsx h */
import { h, type VNode } from "../deps.ts";
import type { AppProps } from "../site/fresh.tsx";

/**
 * The app shell.
 *
 * @param props the page component and the URL
 * @returns the html element
 */
export default function App({ Component }: AppProps): VNode {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>HyperInverter notebook</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/static/site.css" />
      </head>
      <body>
        <header class="site">
          <a class="brand" href="/">HyperInverter notebook</a>
          <a href="/">Suites</a>
          <a href="/upload">Upload</a>
        </header>
        <main>
          <Component />
        </main>
      </body>
    </html>
  );
}
