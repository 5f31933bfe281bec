import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Region } from "../api";
import { useAction, useLoad } from "../data";
import { ArchiveButton, ErrorLine, Options, TextEdit, ExportButtons } from "./parts";

const REGIONS: Region[] = ["africa", "americas", "asia_pacific", "europe", "middle_east_north_africa"];

export function DirectoryScreen() {
  const { t } = useTranslation();
  const orgs = useLoad(() => commands.listOrganizations({}), []);
  const people = useLoad(() => commands.listPeople({}), []);
  const action = useAction();
  const [org, setOrg] = useState({ name: "", country: "", region: "europe" as Region });
  const [person, setPerson] = useState({ name: "", organization_id: "", admin: false });
  const orgName = new Map((orgs.data ?? []).map((o) => [o.id, o.name]));
  return (
    <div className="page">
      <h1>{t("nav.directory")}</h1>
      <ErrorLine error={orgs.error ?? people.error} />
      <section className="card">
        <h2>{t("directory.organizations")}</h2>
        <ExportButtons kind="organization" />
        <details>
          <summary>{t("directory.newOrganization")}</summary>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              action.run(() =>
                commands.createOrganization({ name: org.name, country: org.country.toUpperCase(), region: org.region, status: null }),
              );
            }}
          >
            <label>
              {t("common.name")}
              <input value={org.name} onChange={(e) => setOrg({ ...org, name: e.target.value })} required />
            </label>
            <label>
              {t("directory.country")}
              <input value={org.country} maxLength={2} onChange={(e) => setOrg({ ...org, country: e.target.value })} required />
            </label>
            <label>
              {t("directory.region")}
              <select value={org.region} onChange={(e) => setOrg({ ...org, region: e.target.value as Region })}>
                <Options values={REGIONS} labels="region" />
              </select>
            </label>
            <button type="submit">{t("common.create")}</button>
          </form>
        </details>
        <table className="list">
          <thead>
            <tr>
              <th>{t("common.name")}</th>
              <th>{t("directory.country")}</th>
              <th>{t("directory.region")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(orgs.data ?? []).map((o) => (
              <tr key={o.id}>
                <td>{o.name}</td>
                <td>{o.country}</td>
                <td>{t(`region.${o.region}`)}</td>
                <td className="actions">
                  <TextEdit label={t("common.name")} value={o.name} save={(name) => commands.updateOrganization({ id: o.id, name })} />
                  <ArchiveButton onArchive={() => action.run(() => commands.archiveOrganization({ id: o.id }))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>{t("directory.people")}</h2>
        <ExportButtons kind="person" />
        <details>
          <summary>{t("directory.newPerson")}</summary>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              action.run(() =>
                commands.createPerson({
                  name: person.name,
                  organization_id: person.organization_id || null,
                  secretariat_admin: person.admin,
                }),
              );
            }}
          >
            <label>
              {t("common.name")}
              <input value={person.name} onChange={(e) => setPerson({ ...person, name: e.target.value })} required />
            </label>
            <label>
              {t("directory.organization")}
              <select value={person.organization_id} onChange={(e) => setPerson({ ...person, organization_id: e.target.value })}>
                <option value="">{t("common.none")}</option>
                {(orgs.data ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="check">
              <input type="checkbox" checked={person.admin} onChange={(e) => setPerson({ ...person, admin: e.target.checked })} />
              {t("directory.admin")}
            </label>
            <button type="submit">{t("common.create")}</button>
          </form>
        </details>
        <ErrorLine error={action.error} />
        <ul className="plain">
          {(people.data ?? []).map((p) => (
            <li key={p.id} className="actions">
              {p.name} <span className="muted">{p.organization_id ? orgName.get(p.organization_id) : ""}</span>{" "}
              <button className="link" onClick={() => action.run(() => commands.setActingPerson({ person_id: p.id }))}>
                {t("directory.actAs")}
              </button>{" "}
              <TextEdit label={t("common.name")} value={p.name} save={(name) => commands.updatePerson({ id: p.id, name })} />
              <ArchiveButton onArchive={() => action.run(() => commands.archivePerson({ id: p.id }))} />
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
