"use server";

import { rewrite } from "@/lib/tools/rewrite";

export const rewriteAction = rewrite.action;
