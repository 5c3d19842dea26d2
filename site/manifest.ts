/**
 * The site's routes and islands (Fresh's `fresh.gen.ts`), generated from `routes/` and `islands/` by
 * `deno run -A site/manifest_gen.ts`: do not edit by hand (`manifest_test.ts` checks it matches the folders).
 *
 * @module
 */

import type { Manifest } from "./fresh.tsx";
import * as app from "../routes/_app.tsx";
import * as $0 from "../routes/api/jobs/[id]/events.ts";
import * as $1 from "../routes/api/jobs/[id]/files/[file].ts";
import * as $2 from "../routes/api/jobs/[id]/index.ts";
import * as $3 from "../routes/api/jobs/index.ts";
import * as $4 from "../routes/api/suites/[suite]/[variant]/delta_w.ts";
import * as $5 from "../routes/api/suites/[suite]/[variant]/edit.ts";
import * as $6 from "../routes/api/suites/[suite]/[variant]/interpolate.ts";
import * as $7 from "../routes/api/suites/[suite]/[variant]/log.ts";
import * as $8 from "../routes/api/suites/[suite]/[variant]/samples/[file].ts";
import * as $9 from "../routes/api/suites/[suite]/[variant]/train.ts";
import * as $10 from "../routes/api/suites/[suite]/index.ts";
import * as $11 from "../routes/api/suites/[suite]/progress.ts";
import * as $12 from "../routes/api/suites/[suite]/tables/[file].ts";
import * as $13 from "../routes/api/suites/index.ts";
import * as $14 from "../routes/index.tsx";
import * as $15 from "../routes/suites/[suite]/[variant].tsx";
import * as $16 from "../routes/suites/[suite]/compare.tsx";
import * as $17 from "../routes/suites/[suite]/index.tsx";
import * as $18 from "../routes/upload.tsx";

/** Every route and island. */
export const manifest: Manifest = {
  app,
  routes: {
    "routes/api/jobs/[id]/events.ts": $0,
    "routes/api/jobs/[id]/files/[file].ts": $1,
    "routes/api/jobs/[id]/index.ts": $2,
    "routes/api/jobs/index.ts": $3,
    "routes/api/suites/[suite]/[variant]/delta_w.ts": $4,
    "routes/api/suites/[suite]/[variant]/edit.ts": $5,
    "routes/api/suites/[suite]/[variant]/interpolate.ts": $6,
    "routes/api/suites/[suite]/[variant]/log.ts": $7,
    "routes/api/suites/[suite]/[variant]/samples/[file].ts": $8,
    "routes/api/suites/[suite]/[variant]/train.ts": $9,
    "routes/api/suites/[suite]/index.ts": $10,
    "routes/api/suites/[suite]/progress.ts": $11,
    "routes/api/suites/[suite]/tables/[file].ts": $12,
    "routes/api/suites/index.ts": $13,
    "routes/index.tsx": $14,
    "routes/suites/[suite]/[variant].tsx": $15,
    "routes/suites/[suite]/compare.tsx": $16,
    "routes/suites/[suite]/index.tsx": $17,
    "routes/upload.tsx": $18,
  },
  islands: [
    "CompareViewer",
    "EditPanel",
    "FactorGrid",
    "LinePlot",
    "SuiteProgress",
    "SuiteTable",
    "TrainButton",
    "UploadForm",
  ],
};
