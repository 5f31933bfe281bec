// The database file: the screen shown while it opens (with the progress of a format upgrade
// when an earlier version made it), the screen that unlocks an encrypted database at start,
// and the settings card that encrypts this device's database or changes its passphrase.
import { intlLocale } from "../i18n";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { database, type DatabaseStatus } from "../api/database";
import { MIN_PASSPHRASE_CHARS, type UpgradeProgress } from "../api/bindings";
import { ErrorLine } from "./parts";

/** How often the status is read again while the database opens. */
const POLL_MS = 250;

/** The database's status, read again and again while `busy` (an open, which may upgrade the
 * file, is under way), and why it could not be read. */
function useStatusWhile(busy: boolean): { status: DatabaseStatus | null; error: unknown } {
  const [status, setStatus] = useState<DatabaseStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!busy) {
      setStatus(null);
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => {
      database.status().then(
        (s) => {
          if (stopped) return;
          setStatus(s);
          timer = setTimeout(poll, POLL_MS);
        },
        (e) => !stopped && setError(e),
      );
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [busy]);
  return { status, error };
}

/** Shown instead of the app while the database opens; `onStatus` is told the status once it is open. */
export function OpeningScreen({ onStatus }: { onStatus: (status: DatabaseStatus) => void }) {
  const { t } = useTranslation();
  const { status, error } = useStatusWhile(true);
  useEffect(() => {
    if (status && !status.opening) onStatus(status);
  }, [status, onStatus]);
  return (
    <main className="unlock" aria-busy={!error}>
      <div className="card" data-testid="opening">
        <h1>{t("opening.title")}</h1>
        {status?.upgrade && <UpgradeLine upgrade={status.upgrade} />}
        <ErrorLine error={error} />
      </div>
    </main>
  );
}

/** The progress of a format upgrade, in the screen's language and digits. */
function UpgradeLine({ upgrade }: { upgrade: UpgradeProgress }) {
  const { t, i18n } = useTranslation();
  const share = upgrade.total > 0 ? upgrade.done / upgrade.total : 0;
  const percent = new Intl.NumberFormat(intlLocale(i18n.language), { style: "percent" }).format(share);
  return (
    <div className="progress upgrade" data-testid="upgrade-progress">
      <p>{t("opening.upgrading")}</p>
      <progress max={1} value={share} aria-label={t("opening.upgrading")} />{" "}
      <span>{t("opening.progress", { percent })}</span>
    </div>
  );
}

/** Shown instead of the app while the database waits for its passphrase. */
export function UnlockScreen({ onUnlocked }: { onUnlocked: () => void }) {
  const { t } = useTranslation();
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Unlocking opens the file, which may upgrade it.
  const upgrade = useStatusWhile(busy).status?.upgrade;
  return (
    <main className="unlock">
      <form
        className="card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await database.unlock(passphrase);
            onUnlocked();
          } catch (err) {
            setError(err);
            setPassphrase("");
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>{t("encryption.unlockTitle")}</h1>
        <p>{t("encryption.unlockHelp")}</p>
        <label>
          {t("encryption.passphrase")}
          <input
            type="password"
            data-testid="unlock-passphrase"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            autoComplete="current-password"
            autoFocus
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? t("encryption.unlocking") : t("encryption.unlock")}
        </button>
        {upgrade && <UpgradeLine upgrade={upgrade} />}
        <ErrorLine error={error} />
      </form>
    </main>
  );
}

/** Settings: encrypt this device's database, or change its passphrase. */
export function EncryptionCard({ status, onChanged }: { status: DatabaseStatus; onChanged: () => void }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState("");
  const [passphrase, setPassphrase] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  // The repeat is judged once it is as long as the passphrase, once its field is left, or on
  // saving: not at its first letter, while the person is still typing it.
  const [judged, setJudged] = useState(false);
  const differs = again !== passphrase;
  const mismatch = again.length > 0 && differs && (judged || again.length >= passphrase.length);
  return (
    <form
      className="card"
      data-testid="encryption"
      onSubmit={async (e) => {
        e.preventDefault();
        if (differs) {
          setJudged(true);
          return;
        }
        setBusy(true);
        setError(null);
        setDone(false);
        try {
          await database.encrypt(status.encrypted ? current : null, passphrase);
          setCurrent("");
          setPassphrase("");
          setAgain("");
          setJudged(false);
          setDone(true);
          onChanged();
        } catch (err) {
          setError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>{t("encryption.title")}</h2>
      <p>{status.encrypted ? t("encryption.isEncrypted") : t("encryption.isPlain")}</p>
      <p className="muted">{t("encryption.warning")}</p>
      {status.encrypted && (
        <label>
          {t("encryption.current")}
          <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="current-password" required />
        </label>
      )}
      <label>
        {t("encryption.newPassphrase", { min: MIN_PASSPHRASE_CHARS })}
        <input
          type="password"
          data-testid="new-passphrase"
          value={passphrase}
          onChange={(e) => setPassphrase(e.target.value)}
          autoComplete="new-password"
          minLength={8}
          required
        />
      </label>
      <label>
        {t("encryption.again")}
        <input
          type="password"
          data-testid="new-passphrase-again"
          value={again}
          onChange={(e) => setAgain(e.target.value)}
          onBlur={() => setJudged(true)}
          autoComplete="new-password"
          aria-invalid={mismatch}
          required
        />
      </label>
      {mismatch && <p className="error">{t("encryption.mismatch")}</p>}
      <button type="submit" disabled={busy}>
        {busy ? t("encryption.working") : status.encrypted ? t("encryption.change") : t("encryption.encrypt")}
      </button>
      {done && <p role="status">{t("encryption.done")}</p>}
      <ErrorLine error={error} />
    </form>
  );
}
