import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Region } from "../api";
import { useAction } from "../data";
import type { Navigate } from "../App";
import { ErrorLine, Options, REGIONS } from "./parts";

/**
 * A fresh install: start a new coalition (its first person is the secretariat, and this
 * device acts as them), join one with an invite from its hub, or try the demo.
 */
export function WelcomeCard({ navigate }: { navigate: Navigate }) {
  const { t } = useTranslation();
  const action = useAction();
  const [form, setForm] = useState({ organization: "", country: "", region: "europe" as Region, name: "", email: "" });
  return (
    <section className="card welcome" data-testid="welcome">
      <h2>{t("welcome.title")}</h2>
      <p>{t("app.empty")}</p>
      <details open>
        <summary>{t("welcome.create")}</summary>
        <p className="muted">{t("welcome.createHelp")}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            action.run(() =>
              commands.createCoalition({
                organization: {
                  name: form.organization,
                  country: form.country.toUpperCase(),
                  region: form.region,
                  status: null,
                },
                name: form.name,
                email: form.email,
              }),
            );
          }}
        >
          <label>
            {t("welcome.organization")}
            <input
              value={form.organization}
              onChange={(e) => setForm({ ...form, organization: e.target.value })}
              required
              data-testid="welcome-organization"
            />
          </label>
          <label>
            {t("directory.country")}
            <input
              value={form.country}
              maxLength={2}
              onChange={(e) => setForm({ ...form, country: e.target.value })}
              required
              data-testid="welcome-country"
            />
          </label>
          <label>
            {t("directory.region")}
            <select value={form.region} onChange={(e) => setForm({ ...form, region: e.target.value as Region })}>
              <Options values={REGIONS} labels="region" />
            </select>
          </label>
          <label>
            {t("welcome.yourName")}
            <input
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
              required
              data-testid="welcome-name"
            />
          </label>
          <label>
            {t("welcome.email")}
            <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </label>
          <button type="submit" disabled={action.busy} data-testid="welcome-create">
            {t("welcome.createButton")}
          </button>
        </form>
      </details>
      <p>
        {t("welcome.joinHelp")}{" "}
        <button className="link" onClick={() => navigate({ view: "sync" })} data-testid="welcome-join">
          {t("welcome.join")}
        </button>
      </p>
      <p>
        {t("welcome.guestHelp")}{" "}
        <button className="link" onClick={() => navigate({ view: "sync" })} data-testid="welcome-guest">
          {t("welcome.guest")}
        </button>
      </p>
      <p>
        {t("welcome.demoHelp")}{" "}
        <button onClick={() => action.run(() => commands.loadDemoData({}))} disabled={action.busy} data-testid="load-demo">
          {t("app.loadDemo")}
        </button>
      </p>
      <ErrorLine error={action.error} />
    </section>
  );
}
