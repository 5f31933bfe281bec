// Small pieces every screen uses.
import { useTranslation } from "react-i18next";
import { errorText } from "../errors";
import { renderMarkdown } from "../markdown";

export function ErrorLine({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {errorText(t, error)}
    </p>
  );
}

export function Markdown({ source }: { source: string }) {
  // Sanitized by renderMarkdown: member-written text never runs script.
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(source) }} />;
}

export function formatDate(ms: number, locale: string) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
}
