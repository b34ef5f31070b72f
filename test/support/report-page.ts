/**
 * The report's data as a written page holds it, read back by the page's own reader
 * (src/report/client/store.ts, which runs in Node too): every account's details decoded.
 */
import { decodePage, Store } from "../../src/report/client/store.js";
import type { PageFile } from "../../src/report/page-format.js";
import type { ReportData } from "../../src/report/types.js";

/** The data embedded in a report's HTML, fully decoded. */
export async function reportOfPage(html: string): Promise<ReportData> {
  const json = /<script type="application\/json" id="xacct-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error("the page holds no report data");
  const store = new Store(await decodePage(JSON.parse(json) as PageFile));
  await store.loadAll();
  return store.data;
}
