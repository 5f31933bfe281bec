// Member-written Markdown becomes HTML only through the sanitizer, which keeps what Markdown
// itself writes (paragraphs, emphasis, lists, quotes, code, tables, links) and nothing else: no
// script, no event handler, no image, frame, form control, SVG or style. Raw HTML in the text
// is kept only where it is one of those same harmless elements. Links are followed only within
// the app: the window refuses to load any other site (src-tauri/src/setup.rs).
import DOMPurify from "dompurify";
import { marked } from "marked";

const ALLOWED_TAGS = [
  "p", "br", "hr", "strong", "em", "del", "code", "pre", "blockquote",
  "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
  "table", "thead", "tbody", "tr", "th", "td",
];

export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: true }) as string;
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "title", "align", "start"],
    ALLOW_DATA_ATTR: false,
  });
}

/** Markdown as the words a reader sees (no `**`, no link targets), for a record's history. */
export function plainText(source: string): string {
  // Each block ends with a space, so paragraphs and list items do not run together.
  const html = renderMarkdown(source).replace(/<\/(p|li|h[1-6]|blockquote|tr|pre)>|<br\s*\/?>/g, " $&");
  const doc = new DOMParser().parseFromString(html, "text/html");
  return (doc.body.textContent ?? "").replace(/\s+/g, " ").trim();
}
