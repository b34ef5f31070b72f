/**
 * `xacct graph` writes a name an account's administrator chose (a role, a tag, a condition's value)
 * as text, whatever it holds, checked with the real renderers:
 * - Mermaid reads `%%{init: …}%%` anywhere in its text as configuration (mermaid.js.org,
 *   "Directives"), a line starting `%%` as a comment, a label quoted with backticks as Markdown,
 *   and decodes `#NN;` entity codes in labels ("Entity codes to escape characters");
 * - Graphviz refuses a NUL in its input, decodes HTML entities in labels, and writes other control
 *   characters into SVG, where XML 1.0 allows none but tab, line feed and carriage return.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { hasChromium } from "../scripts/report-browser.mjs";
import { toDot } from "../src/report/dot.js";
import { toMermaid } from "../src/report/mermaid.js";
import type { ReportData } from "../src/report/types.js";
import { rolesNamed } from "./support/diagram-graphs.js";
import { dotSvg, hasDot, mermaidPage } from "./support/diagram-renderers.js";

/** Whitespace as a reader sees it in a drawing: any run of it, one space. */
const squeezed = (text: string) => text.replace(/\s+/g, " ");

describe.skipIf(!hasChromium)("a hostile name in Mermaid, drawn by Mermaid in Chromium", () => {
  const { render, requests } = mermaidPage();

  it("is drawn as its text: no directive configures the diagram, no comment hides a line, no Markdown, no entity decoded twice", async () => {
    // GIVEN roles named with what Mermaid reads as more than text
    const names = [
      "%%{init: {'themeCSS': 'text, span {display: none} svg {background: url(http://127.0.0.1:9/leak.png)}'}}%%",
      "`**bold** markdown`",
      "before\n%% hidden\nafter",
      "Tom &amp; Jerry {braces} $$x^2$$ back\\slash",
      'quote" <b>markup</b> #35; ]bracket|pipe;',
    ];
    // WHEN the graph is written as Mermaid and Mermaid draws it
    const drawn = await render(toMermaid(rolesNamed(names)));
    // THEN Mermaid draws it, asks for nothing over the network, and shows each name as written
    // (the line breaks as spaces): the directive's CSS hid no text
    expect(drawn).not.toHaveProperty("error");
    expect(requests()).toEqual([]);
    const shown = squeezed((drawn as { shown: string }).shown);
    for (const name of names) expect(shown).toContain(squeezed(`${name} (role)`));
  });
});

describe.skipIf(!hasDot)("a hostile name in DOT, laid out by Graphviz's dot", () => {
  it("is laid out as its text, into SVG an XML reader takes", () => {
    // GIVEN roles named with a NUL, an escape sequence, a bell, an entity and Graphviz's own escapes
    const names = ["nul\u0000here", "esc\u001b[31mred", "bell\u0007", "Tom &amp; Jerry", "name \\N \\G \\L end", 'quote " end'];
    // WHEN the graph is written as DOT and dot lays it out
    const laid = dotSvg(toDot(rolesNamed(names)));
    // THEN dot takes it, its SVG is well-formed XML, and each name is shown: the entity and the
    // backslashes as written, each control character as its control picture (U+2400 + its code)
    expect(laid.stderr).toBe("");
    expect(laid.status).toBe(0);
    expect(XMLValidator.validate(laid.stdout)).toBe(true);
    const texts: string[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === "object")
        for (const [key, value] of Object.entries(node)) {
          if (key === "text") texts.push(...[value].flat().map((t) => String((t as { "#text"?: unknown })["#text"] ?? t)));
          else collect(value);
        }
    };
    collect(new XMLParser({ ignoreAttributes: true, htmlEntities: true }).parse(laid.stdout));
    expect(texts).toEqual(
      expect.arrayContaining(["nul\u2400here", "esc\u241b[31mred", "bell\u2407", "Tom &amp; Jerry", "name \\N \\G \\L end", 'quote " end']),
    );
  });
  it("shows a backslash in a tooltip as one that looks the same, never Graphviz's \\N (the node's name) in its place", () => {
    // GIVEN a role whose ARN holds a backslash before N (the tooltip is the node's ARN)
    const data = rolesNamed(["one"]);
    const arn = "arn:aws:s3:::bucket/dir\\N";
    data.nodes = [{ ...(data.nodes[0] as ReportData["nodes"][number]), id: arn, arn }];
    // WHEN dot lays it out
    const laid = dotSvg(toDot(data));
    expect(laid.status).toBe(0);
    // THEN the tooltip is the ARN with its backslash as ⧵ (U+29F5), not the node's name in place of \N
    const tooltips = [...laid.stdout.matchAll(/xlink:title="([^"]*)"/g)].map((m) => m[1]);
    expect(tooltips).toContain("arn:aws:s3:::bucket/dir\u29f5N");
  });
});
