// The database's passphrase: the screen that unlocks an encrypted database at start, and the
// settings card that encrypts this device's database or changes its passphrase.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { database, type DatabaseStatus } from "../api/database";
import { ErrorLine } from "./parts";

/** Shown instead of the app while the database waits for its passphrase. */
export function UnlockScreen({ onUnlocked }: { onUnlocked: () => void }) {
  const { t } = useTranslation();
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
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
