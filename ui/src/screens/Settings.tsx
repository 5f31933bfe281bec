// Settings of this device: language (every screen and export), theme, where sync stands, and
// the database's encryption.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands } from "../api";
import { useLoad } from "../data";
import { database } from "../api/database";
import { EncryptionCard } from "./Encryption";
import { autonyms, digitSample, hasNativeDigits, locales, preferredDigits, setDigits, setLocale, type Digits, type Locale } from "../i18n";
import { preferredTheme, setTheme, type Theme } from "../theme";
import type { Navigate } from "../App";

export function SettingsScreen({ navigate }: { navigate: Navigate }) {
  const { t, i18n } = useTranslation();
  const [theme, setThemeState] = useState<Theme>(preferredTheme());
  const sync = useLoad(() => commands.syncStatus({}), [], ["device"]);
  const [encryptionChanges, setEncryptionChanges] = useState(0);
  const encryption = useLoad(() => database.status(), [encryptionChanges], ["device"]);
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t("settings.title")}</h1>
      <div className="card">
        <label>
          {t("settings.language")}
          <select
            data-testid="language"
            value={i18n.language}
            onChange={(e) => void setLocale(e.target.value as Locale)}
          >
            {locales.map((l) => (
              <option key={l} value={l} lang={l}>
                {autonyms[l]}
              </option>
            ))}
          </select>
        </label>
        <p className="muted">{t("settings.languageHelp")}</p>
        {hasNativeDigits(i18n.language) && (
          // One digit system for the whole screen: the language's own, or Latin.
          <label>
            {t("settings.digits")}
            <select data-testid="digits" value={preferredDigits()} onChange={(e) => void setDigits(e.target.value as Digits)}>
              <option value="native">
                {t("settings.digitsNative", { sample: digitSample(i18n.language, "native") })}
              </option>
              <option value="latin">{t("settings.digitsLatin", { sample: digitSample(i18n.language, "latin") })}</option>
            </select>
          </label>
        )}
      </div>
      <div className="card">
        <fieldset>
          <legend>{t("settings.theme")}</legend>
          {(["system", "light", "dark"] as Theme[]).map((option) => (
            <label key={option} className="inline">
              <input
                type="radio"
                name="theme"
                value={option}
                checked={theme === option}
                onChange={() => {
                  setTheme(option);
                  setThemeState(option);
                }}
              />{" "}
              {t(`settings.themes.${option}`)}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="card">
        <h2>{t("settings.sync")}</h2>
        <p>
          {sync.data?.connected
            ? t("settings.syncConnected", { url: sync.data.hub_url })
            : t("settings.syncNotConnected")}
        </p>
        <button className="secondary" onClick={() => navigate({ view: "sync" })}>
          {t("settings.openSync")}
        </button>
      </div>
      {encryption.data?.available && (
        <EncryptionCard status={encryption.data} onChanged={() => setEncryptionChanges((n) => n + 1)} />
      )}
    </section>
  );
}
