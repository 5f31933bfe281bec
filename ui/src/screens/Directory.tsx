import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type MembershipStatus, type Organization, type Person, type Region } from "../api";
import { useAction, useLoad } from "../data";
import { ArchiveButton, EditForm, ErrorLine, Options, REGIONS, ExportButtons } from "./parts";
import { VirtualList } from "./VirtualList";
import { countryName as nameOf, countryOptions } from "../countries";

const STATUSES: MembershipStatus[] = ["member", "applicant", "suspended", "former"];

/** Themes as a person types them: comma separated, trimmed, without repeats. */
function themeList(text: string): string[] {
  return [...new Set(text.split(/[,،]/).map((x) => x.trim()).filter(Boolean))];
}

/** The directory; the secretariat (`admin`) also sets up organizations and their standing.
 * `me` (the person this device works as) edits their own name and email. */
export function DirectoryScreen({ admin, me }: { admin: boolean; me: string | null }) {
  const { t, i18n } = useTranslation();
  // Country names from the platform's CLDR data, in the screen's language.
  const countryName = (code: string) => nameOf(code, i18n.language);
  const orgs = useLoad(() => commands.listOrganizations({}), [], ["organization"]);
  const people = useLoad(() => commands.listPeople({}), [], ["person"]);
  const action = useAction();
  const [org, setOrg] = useState({ name: "", country: "", region: "europe" as Region, themes: "" });
  const [person, setPerson] = useState({ name: "", email: "", organization_id: "", admin: false });
  const orgName = new Map((orgs.data ?? []).map((o) => [o.id, o.name]));
  const [filter, setFilter] = useState({ text: "", country: "", region: "", theme: "", status: "" });
  const allOrgs = orgs.data ?? [];
  const themes = [...new Set(allOrgs.flatMap((o) => o.themes))].sort();
  const countries = [...new Set(allOrgs.map((o) => o.country))].sort();
  const text = filter.text.trim().toLocaleLowerCase();
  const orgMatches = (o: (typeof allOrgs)[number]) =>
    (!filter.country || o.country === filter.country) &&
    (!filter.region || o.region === filter.region) &&
    (!filter.theme || o.themes.includes(filter.theme)) &&
    (!filter.status || o.status === filter.status);
  const shownOrgs = allOrgs.filter((o) => orgMatches(o) && (!text || o.name.toLocaleLowerCase().includes(text)));
  const byId = new Map(allOrgs.map((o) => [o.id, o]));
  const filtering = !!(filter.country || filter.region || filter.theme || filter.status);
  const shownPeople = (people.data ?? []).filter((p) => {
    const o = p.organization_id ? byId.get(p.organization_id) : undefined;
    return (!filtering || (o && orgMatches(o))) && (!text || p.name.toLocaleLowerCase().includes(text));
  });
  return (
    <div className="page">
      <h1>{t("nav.directory")}</h1>
      <ErrorLine error={orgs.error ?? people.error ?? action.error} />
      <form className="filters card" role="search" aria-label={t("directory.filters")} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("directory.filterText")}
          <input value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} data-testid="filter-text" />
        </label>
        <label>
          {t("directory.filterCountry")}
          <select value={filter.country} onChange={(e) => setFilter({ ...filter, country: e.target.value })} data-testid="filter-country">
            <option value="">{t("directory.all")}</option>
            {countries.map((c) => (
              <option key={c} value={c}>
                {countryName(c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("directory.region")}
          <select value={filter.region} onChange={(e) => setFilter({ ...filter, region: e.target.value })} data-testid="filter-region">
            <option value="">{t("directory.all")}</option>
            <Options values={REGIONS} labels="region" />
          </select>
        </label>
        <label>
          {t("organizationStatus.label")}
          <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value })} data-testid="filter-status">
            <option value="">{t("directory.all")}</option>
            <Options values={STATUSES} labels="organizationStatus" />
          </select>
        </label>
        <label>
          {t("directory.filterTheme")}
          <select value={filter.theme} onChange={(e) => setFilter({ ...filter, theme: e.target.value })} data-testid="filter-theme">
            <option value="">{t("directory.all")}</option>
            {themes.map((th) => (
              <option key={th} value={th}>
                {th}
              </option>
            ))}
          </select>
        </label>
        <p className="muted" aria-live="polite" data-testid="filter-count">
          {t("directory.showing", {
            orgs: t("directory.shownOrganizations", { count: shownOrgs.length }),
            people: t("directory.shownPeople", { count: shownPeople.length }),
          })}
        </p>
      </form>
      <section className="card">
        <h2>{t("directory.organizations")}</h2>
        <ExportButtons kind="organization" />
        {admin && (<details>
          <summary>{t("directory.newOrganization")}</summary>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const made = await action.run(() =>
                commands.createOrganization({
                  name: org.name,
                  country: org.country,
                  region: org.region,
                  themes: themeList(org.themes),
                  status: null,
                }),
              );
              if (made) setOrg({ ...org, name: "", country: "", themes: "" });
            }}
          >
            <OrganizationFields draft={org} onChange={setOrg} />
            <button type="submit">{t("common.create")}</button>
          </form>
        </details>)}
        <VirtualList
          items={shownOrgs}
          rowKey={(o) => o.id}
          label={t("directory.organizations")}
          testId="org-list"
          empty={t("directory.noMatch")}
          renderRow={(o) => (
            <div className="actions">
              <strong dir="auto">{o.name}</strong>{" "}
              <span className="muted">{countryName(o.country)} · {t(`region.${o.region}`)}</span>
              {o.themes.length > 0 && <span className="muted"> · {o.themes.join(", ")}</span>}{" "}
              {!admin && o.status !== "member" && (
                <span className={`badge status-${o.status}`}>{t(`organizationStatus.${o.status}`)}</span>
              )}
              {admin && (<>
                {/* The secretariat keeps the coalition's roll: a suspended organization endorses nothing. */}
                <select
                  aria-label={t("organizationStatus.of", { name: o.name })}
                  data-testid="org-status"
                  value={o.status}
                  onChange={(e) => {
                    const status = e.target.value as MembershipStatus;
                    if (status !== "suspended" || window.confirm(t("organizationStatus.confirmSuspend", { name: o.name })))
                      action.run(() => commands.updateOrganization({ id: o.id, status }));
                  }}
                >
                  <Options values={STATUSES} labels="organizationStatus" />
                </select>
                <OrganizationEdit organization={o} />
                <ArchiveButton onArchive={() => action.run(() => commands.archiveOrganization({ id: o.id }))} />
              </>)}
            </div>
          )}
        />
      </section>
      <section className="card">
        <h2>{t("directory.people")}</h2>
        <ExportButtons kind="person" />
        {admin && (<details>
          <summary>{t("directory.newPerson")}</summary>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              const made = await action.run(() =>
                commands.createPerson({
                  name: person.name,
                  email: person.email.trim(),
                  organization_id: person.organization_id || null,
                  secretariat_admin: person.admin,
                }),
              );
              if (made) setPerson({ name: "", email: "", organization_id: "", admin: false });
            }}
          >
            <label>
              {t("common.name")}
              <input value={person.name} onChange={(e) => setPerson({ ...person, name: e.target.value })} required />
            </label>
            <label>
              {t("directory.email")}
              <input type="email" dir="ltr" value={person.email} onChange={(e) => setPerson({ ...person, email: e.target.value })} />
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
        </details>)}
        <VirtualList
          items={shownPeople}
          rowKey={(p) => p.id}
          label={t("directory.people")}
          testId="people-list"
          empty={t("directory.noMatch")}
          renderRow={(p) => (
            <div className="actions">
              <bdi>{p.name}</bdi> <span className="muted">{p.organization_id ? orgName.get(p.organization_id) : ""}</span>{" "}
              {p.email && (
                <bdi dir="ltr" className="muted" data-testid="person-email">
                  {p.email}
                </bdi>
              )}{" "}
              <button className="link" onClick={() => action.run(() => commands.setActingPerson({ person_id: p.id }))}>
                {t("directory.actAs")}
              </button>{" "}
              {(admin || p.id === me) && <PersonEdit person={p} />}
              {admin && <ArchiveButton onArchive={() => action.run(() => commands.archivePerson({ id: p.id }))} />}
            </div>
          )}
        />
      </section>
    </div>
  );
}

/** An organization as the secretariat sets it up: name, country, region, themes (typed
 * comma separated). The new-organization form and the edit form share them. */
type OrganizationDraft = { name: string; country: string; region: Region; themes: string };

function OrganizationFields({ draft, onChange }: { draft: OrganizationDraft; onChange: (draft: OrganizationDraft) => void }) {
  const { t } = useTranslation();
  return (
    <>
      <label>
        {t("common.name")}
        <input value={draft.name} onChange={(e) => onChange({ ...draft, name: e.target.value })} required />
      </label>
      <label>
        {t("directory.country")}
        <CountrySelect value={draft.country} onChange={(country) => onChange({ ...draft, country })} />
      </label>
      <label>
        {t("directory.region")}
        <select value={draft.region} onChange={(e) => onChange({ ...draft, region: e.target.value as Region })}>
          <Options values={REGIONS} labels="region" />
        </select>
      </label>
      <label>
        {t("directory.themes")}
        <input value={draft.themes} onChange={(e) => onChange({ ...draft, themes: e.target.value })} />
      </label>
    </>
  );
}

/** The secretariat edits an organization's name, country, region and themes in one form. */
function OrganizationEdit({ organization: o }: { organization: Organization }) {
  const [draft, setDraft] = useState({ name: o.name, country: o.country, region: o.region, themes: o.themes.join(", ") });
  return (
    <EditForm save={() => commands.updateOrganization({ id: o.id, ...draft, themes: themeList(draft.themes) })}>
      <OrganizationFields draft={draft} onChange={setDraft} />
    </EditForm>
  );
}

/** A person's name and email: the secretariat's to edit, and the person's own. */
function PersonEdit({ person: p }: { person: Person }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ name: p.name, email: p.email });
  return (
    <EditForm save={() => commands.updatePerson({ id: p.id, name: draft.name, email: draft.email.trim() })}>
      <label>
        {t("common.name")}
        <input value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} required />
      </label>
      <label>
        {t("directory.email")}
        <input type="email" dir="ltr" value={draft.email} onChange={(e) => setDraft({ ...draft, email: e.target.value })} />
      </label>
    </EditForm>
  );
}

/** Every country by its name in the screen's language (the code is what is stored). */
function CountrySelect({ value, onChange }: { value: string; onChange: (code: string) => void }) {
  const { t, i18n } = useTranslation();
  const options = useMemo(() => countryOptions(i18n.language), [i18n.language]);
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} required data-testid="country">
      <option value="">{t("directory.chooseCountry")}</option>
      {options.map((c) => (
        <option key={c.code} value={c.code}>
          {c.name}
        </option>
      ))}
    </select>
  );
}
