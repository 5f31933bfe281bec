import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type GroupKind, type Region } from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate } from "../App";
import { ErrorLine, Options, RegionSelect } from "./parts";

export const GROUP_KINDS: GroupKind[] = [
  "issue_team",
  "working_group",
  "regional_network",
  "national_coalition",
  "caucus",
  "steering_committee",
];

export function GroupsScreen({ navigate }: { navigate: Navigate }) {
  const { t } = useTranslation();
  const groups = useLoad(() => commands.listGroups({}), [], ["coalition_group", "membership"]);
  if (groups.error) return <ErrorLine error={groups.error} />;
  return (
    <div className="page">
      <h1>{t("groups.heading")}</h1>
      <NewGroupForm navigate={navigate} />
      {GROUP_KINDS.map((kind) => {
        const list = (groups.data ?? []).filter((g) => g.kind === kind);
        if (list.length === 0) return null;
        return (
          <section key={kind} aria-labelledby={`kind-${kind}`}>
            <h2 id={`kind-${kind}`}>{t(`groupKind.${kind}`)}</h2>
            <ul className="tiles">
              {list.map((g) => (
                <li key={g.id}>
                  <button className="tile" onClick={() => navigate({ view: "group", id: g.id })}>
                    {g.name}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

function NewGroupForm({ navigate }: { navigate: Navigate }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<GroupKind>("issue_team");
  const [mandate, setMandate] = useState("");
  const [region, setRegion] = useState<Region | null>(null);
  const action = useAction();
  return (
    <details className="card">
      <summary>{t("groups.new")}</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const group = await action.run(() => commands.createGroup({ name, kind, mandate, region }));
          if (group) navigate({ view: "group", id: group.id });
        }}
      >
        <label>
          {t("common.name")}
          <input name="group-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          {t("groups.kind")}
          <select value={kind} onChange={(e) => setKind(e.target.value as GroupKind)}>
            <Options values={GROUP_KINDS} labels="groupKindOne" />
          </select>
        </label>
        <label>
          {t("groups.mandate")}
          <textarea name="group-mandate" value={mandate} onChange={(e) => setMandate(e.target.value)} />
        </label>
        <RegionSelect value={region} onChange={setRegion} />
        <ErrorLine error={action.error} />
        <button type="submit" disabled={action.busy}>
          {t("common.create")}
        </button>
      </form>
    </details>
  );
}
