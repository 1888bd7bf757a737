import { serveJobs } from "./helper-jobs.ts";

/** The helper process's entry from the plain modules (helper-process.ts): listening before they load. */
serveJobs(import("./classify-email.ts"));
