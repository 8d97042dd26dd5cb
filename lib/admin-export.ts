import "server-only";
import { adminOrNull } from "@/lib/auth/admin";
import type { SearchParams } from "@/lib/console-view";
import { csvResponse, type CsvColumns } from "@/lib/http/csv";

/**
 * The GET handler of a console view's CSV export: exactly the rows the view's URL filters (its
 * query string is the view's), every page of them. Admins only: anyone else gets the 404 the
 * console's pages give (to them the console does not exist), before anything is read.
 */
export function adminCsvExport<T>(name: string, columns: CsvColumns<T>, pages: (params: SearchParams) => AsyncGenerator<T[]>) {
  return async function GET(request: Request): Promise<Response> {
    if (!(await adminOrNull())) return new Response("Not found", { status: 404 });
    return csvResponse(name, columns, pages(Object.fromEntries(new URL(request.url).searchParams)));
  };
}
