// Adding people to a group, for its leaders and the secretariat: found in the directory by a
// name, an email or their organization (which brings every one of its people not in the group
// yet), or pasted as a list of names and emails; several at once, with the role they get.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Organization, type Person, type Role } from "../api";
import { errorText } from "../errors";
import { findCandidates, matchPasted } from "../members";
import { Options } from "./parts";

const ROLES: Role[] = ["member", "observer", "leader", "focal_point"];
/** Matches shown for a typed fragment: enough to pick from, short enough to read. */
const SHOWN = 8;

type Outcome = { added: number; failed: { name: string; reason: string }[] };

export function AddMembers({
  groupId,
  people,
  organizations,
  memberIds,
}: {
  groupId: string;
  people: Person[];
  organizations: Organization[];
  memberIds: Set<string>;
}) {
  const { t } = useTranslation();
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState<Person[]>([]);
  const [pasted, setPasted] = useState("");
  const [unknown, setUnknown] = useState<string[]>([]);
  const [role, setRole] = useState<Role>("member");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const chosenIds = new Set(chosen.map((p) => p.id));
  const candidates = people.filter((p) => !p.archived && !memberIds.has(p.id) && !chosenIds.has(p.id));
  const found = findCandidates(query, candidates, organizations, SHOWN);
  const orgName = new Map(organizations.map((o) => [o.id, o.name]));
  const choose = (more: Person[]) => {
    setOutcome(null);
    setChosen((now) => [...now, ...more.filter((p) => !now.some((c) => c.id === p.id))]);
  };

  const add = async () => {
    setBusy(true);
    const result: Outcome = { added: 0, failed: [] };
    // One by one: each person's membership is its own record, and one refused (already a
    // member, since another device added them) must not stop the others.
    for (const p of chosen) {
      try {
        await commands.joinGroup({ group_id: groupId, person_id: p.id, role });
        result.added += 1;
      } catch (e) {
        result.failed.push({ name: p.name, reason: errorText(t, e) });
      }
    }
    setBusy(false);
    setOutcome(result);
    setChosen([]);
    setQuery("");
    setUnknown([]);
  };

  return (
    <div className="add-members" data-testid="add-members">
      <h3>{t("members.addHeading")}</h3>
      <label>
        {t("members.find")}
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder={t("members.findHint")}
          data-testid="add-members-find"
        />
      </label>
      {query.trim() !== "" && (
        <ul className="plain matches" data-testid="add-members-matches">
          {found.organizations.map(({ organization, people: theirs }) => (
            <li key={organization.id}>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  choose(theirs);
                  setQuery("");
                }}
                data-testid="add-members-organization"
              >
                {t("members.wholeOrganization", { count: theirs.length, name: organization.name })}
              </button>
            </li>
          ))}
          {found.people.map((p) => (
            <li key={p.id}>
              <button
                type="button"
                className="link"
                onClick={() => {
                  choose([p]);
                  setQuery("");
                }}
              >
                <bdi>{p.name}</bdi>
              </button>{" "}
              <span className="muted">
                {p.organization_id && <bdi>{orgName.get(p.organization_id)}</bdi>} {p.email && <bdi dir="ltr">{p.email}</bdi>}
              </span>
            </li>
          ))}
          {found.people.length === 0 && found.organizations.length === 0 && (
            <li className="muted">{t("members.noMatch")}</li>
          )}
        </ul>
      )}
      <details>
        <summary>{t("members.pasteSummary")}</summary>
        <label>
          {t("members.pasteLabel")}
          <textarea rows={4} value={pasted} onChange={(e) => setPasted(e.target.value)} data-testid="add-members-paste" />
        </label>
        <button
          type="button"
          className="secondary"
          disabled={pasted.trim() === ""}
          onClick={() => {
            const matched = matchPasted(pasted, candidates);
            choose(matched.found);
            setUnknown(matched.unknown);
            setPasted("");
          }}
        >
          {t("members.pasteMatch")}
        </button>
        {unknown.length > 0 && (
          <p className="error" role="alert" data-testid="add-members-unknown">
            {t("members.pasteUnknown", { count: unknown.length, entries: unknown.join(" · ") })}
          </p>
        )}
      </details>
      {chosen.length > 0 && (
        <ul className="plain chosen" aria-label={t("members.chosen", { count: chosen.length })} data-testid="add-members-chosen">
          {chosen.map((p) => (
            <li key={p.id}>
              <bdi>{p.name}</bdi>{" "}
              <button
                type="button"
                className="link"
                aria-label={t("members.unchoose", { name: p.name })}
                onClick={() => setChosen((now) => now.filter((c) => c.id !== p.id))}
              >
                {t("common.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <label>
          {t("members.role")}{" "}
          <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="add-members-role">
            <Options values={ROLES} labels="role" />
          </select>
        </label>
        <button type="button" disabled={chosen.length === 0 || busy} onClick={add} data-testid="add-members-submit">
          {chosen.length === 0 ? t("members.addNone") : t("members.add", { count: chosen.length })}
        </button>
      </div>
      {outcome && (
        <div role="status" data-testid="add-members-done">
          {outcome.added > 0 && <p>{t("members.added", { count: outcome.added })}</p>}
          {outcome.failed.map((f) => (
            <p key={f.name} className="error">
              <bdi>{f.name}</bdi>: {f.reason}
            </p>
          ))}
        </div>
      )}
    </div>
  );
}
