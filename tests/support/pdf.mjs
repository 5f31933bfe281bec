// Reads PDFs the way a reader does, with pdf.js: the text of each page, and a picture of the
// first pages drawn in Chromium (saved next to the screenshots, to look at).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./bridge.mjs";

const pdfjs = join(root, "node_modules/pdfjs-dist/legacy/build");

/** The text of every page, in reading order as pdf.js extracts it. */
export async function pdfText(path) {
  const { getDocument } = await import(join(pdfjs, "pdf.mjs"));
  const doc = await getDocument({ data: new Uint8Array(readFileSync(path)), useSystemFonts: false }).promise;
  const pages = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((i) => i.str).join(" "));
  }
  await doc.destroy();
  return pages;
}

/** Draws the first `pages` pages of the PDF at `path` in Chromium and saves a PNG. */
export async function pdfPicture(browser, path, png, pages = 1) {
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  const origin = "http://pdf.invalid";
  await page.route(`${origin}/**`, (route) => {
    const name = new URL(route.request().url()).pathname.slice(1);
    const files = {
      "report.pdf": [path, "application/pdf"],
      "pdf.mjs": [join(pdfjs, "pdf.mjs"), "text/javascript"],
      "pdf.worker.mjs": [join(pdfjs, "pdf.worker.mjs"), "text/javascript"],
      "": [null, "text/html"],
    };
    const [file, type] = files[name] ?? [];
    if (type === undefined) return route.fulfill({ status: 404 });
    const body = file ? readFileSync(file) : "<!doctype html><body style='margin:0;background:#888'></body>";
    return route.fulfill({ status: 200, contentType: type, body });
  });
  await page.goto(`${origin}/`);
  await page.evaluate(
    async ({ origin, pages }) => {
      const pdfjsLib = await import(`${origin}/pdf.mjs`);
      pdfjsLib.GlobalWorkerOptions.workerSrc = `${origin}/pdf.worker.mjs`;
      const doc = await pdfjsLib.getDocument(`${origin}/report.pdf`).promise;
      for (let n = 1; n <= Math.min(pages, doc.numPages); n++) {
        const p = await doc.getPage(n);
        const viewport = p.getViewport({ scale: 1.4 });
        const canvas = document.createElement("canvas");
        canvas.width = viewport.width;
        canvas.height = viewport.height;
        canvas.style.display = "block";
        canvas.style.margin = "8px auto";
        document.body.append(canvas);
        await p.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
      }
    },
    { origin, pages },
  );
  await page.screenshot({ path: png, fullPage: true });
  await page.close();
}
