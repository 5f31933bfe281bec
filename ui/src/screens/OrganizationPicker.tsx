// Choosing organizations from the directory by a fragment of their name (the coalition has
// thousands: a list of checkboxes would not do), the chosen ones shown as chips.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Organization } from "../api";
import { fold } from "../members";

/** Matches shown for a typed fragment. */
const SHOWN = 8;

export function OrganizationPicker({
  label,
  organizations,
  chosen,
  onChange,
}: {
  label: string;
  organizations: Organization[];
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const q = fold(query);
  const byId = new Map(organizations.map((o) => [o.id, o]));
  const matches = q
    ? organizations.filter((o) => !o.archived && !chosen.includes(o.id) && fold(o.name).includes(q)).slice(0, SHOWN)
    : [];
  return (
    <fieldset className="org-picker" data-testid="org-picker">
      <legend>{label}</legend>
      <input
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        placeholder={t("members.findHint")}
        aria-label={t("addressee.find")}
        data-testid="org-picker-find"
      />
      {q && (
        <ul className="plain">
          {matches.map((o) => (
            <li key={o.id}>
              <button
                type="button"
                className="link"
                onClick={() => {
                  onChange([...chosen, o.id]);
                  setQuery("");
                }}
              >
                <bdi>{o.name}</bdi>
              </button>
            </li>
          ))}
          {matches.length === 0 && <li className="muted">{t("addressee.noMatch")}</li>}
        </ul>
      )}
      {chosen.length > 0 && (
        <ul className="plain chosen" data-testid="org-picker-chosen">
          {chosen.map((id) => {
            const name = byId.get(id)?.name ?? "?";
            return (
              <li key={id}>
                <bdi>{name}</bdi>{" "}
                <button
                  type="button"
                  className="link"
                  aria-label={t("members.unchoose", { name })}
                  onClick={() => onChange(chosen.filter((c) => c !== id))}
                >
                  {t("common.remove")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
