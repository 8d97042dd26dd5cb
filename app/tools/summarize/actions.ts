"use server";

import { summarize } from "@/lib/tools/summarize";

export const summarizeAction = summarize.action;
