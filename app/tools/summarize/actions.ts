"use server";

import { guardedAction } from "@/lib/guard/action";
import { runSummarize, summarizeFeature } from "@/lib/tools/summarize";

export const summarizeAction = guardedAction(summarizeFeature, runSummarize);
