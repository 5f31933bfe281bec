// The database file: the screen shown while it opens (with the progress of a format upgrade
// when an earlier version made it), the screen that unlocks an encrypted database at start,
// and the settings card that encrypts this device's database or changes its passphrase.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { database, type DatabaseStatus } from "../api/database";
import type { UpgradeProgress } from "../api/bindings";
import { ErrorLine } from "./parts";

/** How often the status is read again while the database opens. */
const POLL_MS = 250;

/** Shown instead of the app while the database opens; `onStatus` is told the status once it is open. */
export function OpeningScreen({ onStatus }: { onStatus: (status: DatabaseStatus) => void }) {
  const { t } = useTranslation();
  const [upgrade, setUpgrade] = useState<UpgradeProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let stopped = false;
    const poll = () => {
      database.status().then(
        (status) => {
          if (stopped) return;
          if (status.opening) {
            setUpgrade(status.upgrade);
            setTimeout(poll, POLL_MS);
          } else onStatus(status);
        },
        (e) => !stopped && setError(e),
      );
    };
    poll();
    return () => {
      stopped = true;
    };
  }, [onStatus]);
  return (
    <main className="unlock" aria-busy={!error}>
      <div className="card" data-testid="opening">
        <h1>{t("opening.title")}</h1>
        {upgrade && <UpgradeLine upgrade={upgrade} />}
        <ErrorLine error={error} />
      </div>
    </main>
  );
}

/** The progress of a format upgrade, in the screen's language and digits. */
function UpgradeLine({ upgrade }: { upgrade: UpgradeProgress }) {
  const { t, i18n } = useTranslation();
  const share = upgrade.total > 0 ? upgrade.done / upgrade.total : 0;
  const percent = new Intl.NumberFormat(i18n.language, { style: "percent" }).format(share);
  return (
    <div className="progress upgrade" data-testid="upgrade-progress">
      <p>{t("opening.upgrading")}</p>
      <progress max={1} value={share} aria-label={t("opening.upgrading")} />{" "}
      <span>{t("opening.progress", { percent })}</span>
    </div>
  );
}

/** The upgrade's progress while `busy` (an unlock opens the file, and may upgrade it). */
function useUpgradeWhile(busy: boolean): UpgradeProgress | null {
  const [upgrade, setUpgrade] = useState<UpgradeProgress | null>(null);
  useEffect(() => {
    if (!busy) {
      setUpgrade(null);
      return;
    }
    const timer = setInterval(() => {
      database.status().then(
        (status) => setUpgrade(status.upgrade),
        () => {},
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [busy]);
  return upgrade;
}

/** Shown instead of the app while the database waits for its passphrase. */
export function UnlockScreen({ onUnlocked }: { onUnlocked: () => void }) {
  const { t } = useTranslation();
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const upgrade = useUpgradeWhile(busy);
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
  const mismatch = again.length > 0 && again !== passphrase;
  return (
    <form
      className="card"
      data-testid="encryption"
      onSubmit={async (e) => {
        e.preventDefault();
        if (mismatch) return;
        setBusy(true);
        setError(null);
        setDone(false);
        try {
          await database.encrypt(status.encrypted ? current : null, passphrase);
          setCurrent("");
          setPassphrase("");
          setAgain("");
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
        {t("encryption.newPassphrase")}
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
          autoComplete="new-password"
          aria-invalid={mismatch}
          required
        />
      </label>
      {mismatch && <p className="error">{t("encryption.mismatch")}</p>}
      <button type="submit" disabled={busy || mismatch}>
        {busy ? t("encryption.working") : status.encrypted ? t("encryption.change") : t("encryption.encrypt")}
      </button>
      {done && <p role="status">{t("encryption.done")}</p>}
      <ErrorLine error={error} />
    </form>
  );
}
