// Member-written Markdown becomes HTML only through the sanitizer: no script, no event
// handlers, no remote frames. Links open nowhere inside the app window.
import DOMPurify from "dompurify";
import { marked } from "marked";

export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: true }) as string;
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ["style", "iframe", "form", "input", "img"],
    FORBID_ATTR: ["style"],
  });
}
