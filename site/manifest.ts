/**
 * The site's routes and islands (Fresh's `fresh.gen.ts`, kept by hand; `manifest_test.ts` checks that it lists
 * every file under `routes/` and `islands/`).
 *
 * @module
 */

import type { Manifest } from "./fresh.tsx";
import * as app from "../routes/_app.tsx";
import * as index from "../routes/index.tsx";
import * as upload from "../routes/upload.tsx";
import * as suite from "../routes/suites/[suite]/index.tsx";
import * as compare from "../routes/suites/[suite]/compare.tsx";
import * as variant from "../routes/suites/[suite]/[variant].tsx";
import * as apiSuites from "../routes/api/suites/index.ts";
import * as apiSuite from "../routes/api/suites/[suite]/index.ts";
import * as apiSample from "../routes/api/suites/[suite]/[variant]/samples/[file].ts";
import * as apiDeltaW from "../routes/api/suites/[suite]/[variant]/delta_w.ts";
import * as apiLog from "../routes/api/suites/[suite]/[variant]/log.ts";
import * as apiEdit from "../routes/api/suites/[suite]/[variant]/edit.ts";
import * as apiInterpolate from "../routes/api/suites/[suite]/[variant]/interpolate.ts";
import * as apiTrain from "../routes/api/suites/[suite]/[variant]/train.ts";
import * as apiJobs from "../routes/api/jobs/index.ts";
import * as apiJob from "../routes/api/jobs/[id]/index.ts";
import * as apiJobEvents from "../routes/api/jobs/[id]/events.ts";
import * as apiJobFile from "../routes/api/jobs/[id]/files/[file].ts";

/** Every route and island. */
export const manifest: Manifest = {
  app,
  routes: {
    "routes/index.tsx": index,
    "routes/upload.tsx": upload,
    "routes/suites/[suite]/index.tsx": suite,
    "routes/suites/[suite]/compare.tsx": compare,
    "routes/suites/[suite]/[variant].tsx": variant,
    "routes/api/suites/index.ts": apiSuites,
    "routes/api/suites/[suite]/index.ts": apiSuite,
    "routes/api/suites/[suite]/[variant]/samples/[file].ts": apiSample,
    "routes/api/suites/[suite]/[variant]/delta_w.ts": apiDeltaW,
    "routes/api/suites/[suite]/[variant]/log.ts": apiLog,
    "routes/api/suites/[suite]/[variant]/edit.ts": apiEdit,
    "routes/api/suites/[suite]/[variant]/interpolate.ts": apiInterpolate,
    "routes/api/suites/[suite]/[variant]/train.ts": apiTrain,
    "routes/api/jobs/index.ts": apiJobs,
    "routes/api/jobs/[id]/index.ts": apiJob,
    "routes/api/jobs/[id]/events.ts": apiJobEvents,
    "routes/api/jobs/[id]/files/[file].ts": apiJobFile,
  },
  islands: ["CompareViewer", "EditPanel", "LinePlot", "SuiteTable", "TrainButton", "UploadForm"],
};
