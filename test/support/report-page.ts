/**
 * The report's data as a written page holds it, read back by the page's own reader
 * (src/report/client/store.ts, which runs in Node too): every account's details decoded.
 */
import { decodePage, Store } from "../../src/report/client/store.js";
import { partTexts } from "../../src/report/page-data.js";
import { type PageData, type PageFile, partElementId, type PartKind } from "../../src/report/page-format.js";
import type { ReportData } from "../../src/report/types.js";

/** The data embedded in a report's HTML, fully decoded. */
export async function reportOfPage(html: string): Promise<ReportData> {
  const json = /<script type="application\/json" id="xacct-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error("the page holds no report data");
  // Each part as the page reads it: the text of its element.
  const read = async (kind: PartKind, k: number) => {
    const text = new RegExp(`<script type="text/plain" id="${partElementId(kind, k)}">([^<]*)</script>`).exec(html)?.[1];
    if (text === undefined) throw new Error(`the page holds no ${partElementId(kind, k)}`);
    return text;
  };
  const store = new Store(await decodePage(JSON.parse(json) as PageFile), read);
  await store.loadAll();
  return store.data;
}

/** The page's reader over data as page-data.ts writes it, each part read from its own gzip text. */
export function storeOf(page: PageData): Store {
  const texts = partTexts(page);
  return new Store(page, async (kind, k) => texts[kind][k] ?? "");
}
