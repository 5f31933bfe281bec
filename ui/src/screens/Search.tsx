// One search box for everything on this device (SQLite FTS5 in the core, offline), as a
// combobox: type, move with the arrow keys, Enter opens, Escape closes.
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type SearchHit } from "../api";
import type { Navigate } from "../App";
import { routeTo } from "../routes";

/** Where a hit leads. */
/** The snippet with its matched words marked, built as text: member-written text never
 * becomes HTML. */
function Snippet({ text, inline = false }: { text: string; inline?: boolean }) {
  const parts = text.split(/(\u0002[^\u0003]*\u0003)/);
  return (
    <span className={inline ? undefined : "snippet"} dir="auto">
      {parts.map((p, i) =>
        p.startsWith("\u0002") ? <mark key={i}>{p.slice(1, -1)}</mark> : <span key={i}>{p}</span>,
      )}
    </span>
  );
}

export function SearchBox({ navigate }: { navigate: Navigate }) {
  const { t } = useTranslation();
  const [text, setText] = useState("");
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const latest = useRef(0);

  useEffect(() => {
    const query = text.trim();
    if (!query) {
      setHits([]);
      return;
    }
    // Only the newest answer is shown, however the answers arrive.
    const ticket = ++latest.current;
    const timer = window.setTimeout(() => {
      commands.search({ text: query, limit: 12 }).then(
        (found) => {
          if (ticket === latest.current) {
            setHits(found);
            setActive(0);
          }
        },
        () => {},
      );
    }, 120);
    return () => window.clearTimeout(timer);
  }, [text]);

  const choose = (hit: SearchHit | undefined) => {
    if (!hit) return;
    navigate(routeTo(hit.target_kind, hit.target_id));
    setOpen(false);
    setText("");
  };

  return (
    <div className="search" role="search">
      <input
        type="search"
        role="combobox"
        aria-label={t("search.label")}
        aria-expanded={open && text.trim() !== ""}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && hits[active] ? `${listId}-${active}` : undefined}
        placeholder={t("search.placeholder")}
        value={text}
        data-testid="search"
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, hits.length - 1));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === "Enter") {
            e.preventDefault();
            choose(hits[active]);
          } else if (e.key === "Escape") {
            setOpen(false);
          }
        }}
      />
      {open && text.trim() !== "" && (
        <div className="search-results">
          <p className="muted" aria-live="polite">
            {hits.length ? t("search.results", { count: hits.length }) : t("search.none", { text: text.trim() })}
          </p>
          <ul role="listbox" id={listId} aria-label={t("search.label")}>
            {hits.map((hit, i) => (
              <li
                key={`${hit.kind}-${hit.id}`}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? "active" : undefined}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(hit);
                }}
              >
                <span className="badge">{t(`search.kinds.${hit.kind}`, { defaultValue: hit.kind })}</span>{" "}
                <strong>
                  {hit.title ? <Snippet text={hit.title} inline /> : t(`search.kinds.${hit.kind}`, { defaultValue: hit.kind })}
                </strong>
                {hit.snippet && (
                  <>
                    {" "}
                    <Snippet text={hit.snippet} />
                  </>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
