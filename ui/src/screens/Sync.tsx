// The sync panel: connect this device to the coalition's hub, sync now, see what is waiting,
// the last success and the last failure in plain words, the progress of long work, and the
// hub's refusals. Bundles carry changes on a USB stick where there is no network.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import {
  CommandError,
  commands,
  type BundlePeer,
  type BundleSummary,
  type CoalitionKeySaved,
  type FoundMeeting,
  type MeetingInfo,
  type RefusedChange,
  type SyncStatus,
} from "../api";
import { useAction, useLoad } from "../data";
import { ErrorLine, FilePick, SavedFileActions, formatDate, isolate } from "./parts";
import { chooseOpenFile, chooseSaveFile, inDesktopApp } from "../desktop";

/** The status, re-read whenever it may have moved: the progress of a first sync, an import or
 * a background sync ("device" events), and every write, which adds to what waits to be sent. */
function useLiveStatus() {
  const loaded = useLoad(() => commands.syncStatus({}), [], ["device", "any"]);
  return { status: loaded.data, error: loaded.error };
}

export function SyncScreen() {
  const { t, i18n } = useTranslation();
  const action = useAction();
  const { status, error } = useLiveStatus();
  if (error) return <ErrorLine error={error} />;
  if (!status) return <p className="loading">{t("app.loading")}</p>;
  const locale = i18n.language;
  return (
    <section className="sync" aria-labelledby="sync-title">
      <h1 id="sync-title">{t("sync.title")}</h1>
      <div className="card" data-testid="sync-status">
        {status.connected ? (
          <p>{t("sync.connectedTo", { url: status.hub_url })}</p>
        ) : (
          <p>{t("sync.notConnected")}</p>
        )}
        {status.certified_until && (
          <p data-testid="sync-certified">{t(status.founding ? "sync.certifiedFounding" : "sync.certifiedUntil", {
              date: formatDate(status.certified_until, locale),
            })}</p>
        )}
        {/* What waits and when the hub last answered mean something only once there is a hub:
            a laptop never connected has sent nothing, and counting "changes waiting" there
            (every record it holds) reads like a fault. */}
        {status.connected && (
          <dl className="facts">
            <dt>{t("sync.pending")}</dt>
            <dd data-testid="sync-pending">{t("sync.pendingCount", { count: status.pending })}</dd>
            <dt>{t("sync.lastSuccess")}</dt>
            <dd data-testid="sync-last-success">
              {status.last_success_ms ? formatDate(status.last_success_ms, locale) : t("sync.never")}
            </dd>
          </dl>
        )}
        {status.progress && (
          <div className="progress" data-testid="sync-progress">
            <span>{t(`sync.phase.${status.progress.phase}`)}</span>{" "}
            <progress
              max={status.progress.total ?? undefined}
              value={status.progress.total ? status.progress.done : undefined}
              aria-label={t(`sync.phase.${status.progress.phase}`)}
            />{" "}
            <span>
              {status.progress.total
                ? t("sync.progressOf", { done: status.progress.done, total: status.progress.total })
                : t("sync.progressDone", { count: status.progress.done })}
            </span>
          </div>
        )}
        {status.last_failure && (
          <p className="error" role="alert" data-testid="sync-failure">
            {t("sync.lastFailure", { when: formatDate(status.last_failure.at_ms ?? 0, locale) })}{" "}
            {t(`errors.${status.last_failure.code}`, { defaultValue: status.last_failure.message, message: status.last_failure.message })}
          </p>
        )}
        {status.connected && (
          <button onClick={() => action.run(() => commands.syncNow({}))} disabled={action.busy}>
            {action.busy ? t("sync.syncing") : t("sync.now")}
          </button>
        )}
        <ErrorLine error={action.error} />
      </div>
      {status.founding && <Founding folder={status.bundle_folder} />}
      {!status.connected && <ConnectForm />}
      <MeetingPanel status={status} />
      {status.held.length > 0 && <Held status={status} />}
      {status.refused.length > 0 && <Refusals status={status} />}
      <Bundles folder={status.bundle_folder} peers={status.bundle_peers} />
    </section>
  );
}

/** What a bundle brought that this device could not trace to a certified maker: kept out of
 * the records, passed on to the hub, which decides. */
function Held({ status }: { status: SyncStatus }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="card">
      <h2>{t("sync.heldTitle")}</h2>
      <p>{t("sync.heldHelp")}</p>
      <ul data-testid="sync-held">
        {status.held.map((r, i) => (
          <li key={i}>
            {formatDate(r.at_ms ?? 0, i18n.language)} — {t(`sync.heldCode.${r.code}`, { defaultValue: r.reason })}:{" "}
            {t(`myWork.kinds.${r.table}`, { defaultValue: r.table })}{" "}
            {r.columns.includes("$row") ? t("sync.wholeRecord") : `(${r.columns.join(", ")})`}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The hub's refusals of what this device sent: one line per record and reason, the latest
 * first; all of them on request. */
function Refusals({ status }: { status: SyncStatus }) {
  const { t, i18n } = useTranslation();
  const [all, setAll] = useState<RefusedChange[] | null>(null);
  const action = useAction();
  const shown = all ?? status.refused;
  return (
    <div className="card">
      <h2>{t("sync.refusedTitle")}</h2>
      <p>{t("sync.refusedHelp")}</p>
      <ul data-testid="sync-refused">
        {shown.map((r, i) => (
          <li key={i}>
            {formatDate(r.at_ms ?? 0, i18n.language)} — {t(`sync.refusedCode.${r.code}`, { defaultValue: r.code })}:{" "}
            {t(`myWork.kinds.${r.table}`, { defaultValue: r.table })}{" "}
            {/* A refused creation is the record itself; otherwise the fields refused. */}
            {r.columns.includes("$row") ? t("sync.wholeRecord") : `(${r.columns.join(", ")})`} — {isolate(r.reason)}
          </li>
        ))}
      </ul>
      {all === null && status.refused_total > status.refused.length && (
        <button
          className="link"
          data-testid="sync-refused-all"
          onClick={() => action.run(() => commands.refusedChanges({}).then(setAll))}
        >
          {t("sync.refusedAll", { count: status.refused_total })}
        </button>
      )}
      <ErrorLine error={action.error} />
    </div>
  );
}

function ConnectForm() {
  const { t } = useTranslation();
  const action = useAction();
  const [url, setUrl] = useState("");
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        action.run(() => commands.connectHub({ url, invite_code: code, device_name: name }));
      }}
    >
      <h2>{t("sync.connectTitle")}</h2>
      <p>{t("sync.connectHelp")}</p>
      <label>
        {t("sync.hubUrl")}
        <input dir="ltr" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://hub.example.org" required />
      </label>
      <label>
        {t("sync.inviteCode")}
        <input dir="ltr" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" required />
      </label>
      <label>
        {t("sync.deviceName")}
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t("sync.deviceNameHint")} required />
      </label>
      <button type="submit" disabled={action.busy}>
        {action.busy ? t("sync.connecting") : t("sync.connect")}
      </button>
      <ErrorLine error={action.error} />
    </form>
  );
}

/** Host a meeting on this laptop, or find and join one, with no internet. */
function MeetingPanel({ status }: { status: SyncStatus }) {
  const { t } = useTranslation();
  const action = useAction();
  const [name, setName] = useState("");
  const [found, setFound] = useState<FoundMeeting[] | null>(null);
  const [url, setUrl] = useState("");
  const [code, setCode] = useState("");
  const [guestName, setGuestName] = useState("");
  const session = useLoad(() => commands.getSession({}), [], ["device", "person"]);
  // A laptop that is nobody of the coalition yet joins as a guest, by name.
  const asGuest = session.data ? !session.data.acting_person : false;
  const waiting = useGuestWait();
  const meeting = status.meeting;
  if (meeting) {
    return (
      <div className="card" data-testid="meeting">
        <h2>{meeting.hosting ? t("sync.meeting.hostingTitle", { name: meeting.name }) : t("sync.meeting.joinedTitle")}</h2>
        {meeting.hosting && meeting.pairing_code && (
          <>
            <p>{t("sync.meeting.hostHelp")}</p>
            {/* The paragraph keeps the screen's direction (its start edge, right in Arabic); only
                the code inside reads left to right. */}
            <p className="pairing-code" aria-label={t("sync.meeting.code")}>
              <bdi dir="ltr" data-testid="pairing-code">
                {meeting.pairing_code}
              </bdi>
            </p>
          </>
        )}
        <p>{t("sync.meeting.address", { url: meeting.url })}</p>
        {meeting.hosting && <HostGuests meeting={meeting} />}
        <button className="secondary" onClick={() => action.run(() => commands.leaveMeeting({}))} disabled={action.busy}>
          {meeting.hosting ? t("sync.meeting.stop") : t("sync.meeting.leave")}
        </button>
        <ErrorLine error={action.error} />
      </div>
    );
  }
  return (
    <div className="card" data-testid="meeting">
      <h2>{t("sync.meeting.title")}</h2>
      <p>{t("sync.meeting.help")}</p>
      {/* Only a person of the coalition hosts: a guest's laptop only joins. */}
      {!asGuest && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            action.run(() => commands.hostMeeting({ name, public_meeting: null }));
          }}
        >
          <label>
            {t("sync.meeting.name")}
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder={t("sync.meeting.nameHint", { day: 27 })} required />
          </label>
          <button type="submit" disabled={action.busy}>
            {t("sync.meeting.host")}
          </button>
        </form>
      )}
      <button
        className="secondary"
        disabled={action.busy}
        onClick={async () => {
          const list = await action.run(() => commands.findMeetings({}));
          if (list) {
            setFound(list);
            if (list[0]) setUrl(list[0].url);
          }
        }}
      >
        {action.busy ? t("sync.meeting.searching") : t("sync.meeting.find")}
      </button>
      {found && found.length === 0 && <p>{t("sync.meeting.noneFound")}</p>}
      {found && found.length > 0 && (
        <ul>
          {found.map((m) => (
            <li key={m.url}>
              <label>
                <input type="radio" name="meeting" checked={url === m.url} onChange={() => setUrl(m.url)} /> {m.name} ({m.url})
              </label>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (asGuest) waiting.start({ url, pairing_code: code, guest_name: guestName });
          else action.run(() => commands.joinMeeting({ url, pairing_code: code, guest_name: null }));
        }}
      >
        {asGuest && (
          <>
            <p className="muted">{t("sync.meeting.guestHelp")}</p>
            <label>
              {t("sync.meeting.guestName")}
              <input value={guestName} onChange={(e) => setGuestName(e.target.value)} required data-testid="guest-name" />
            </label>
          </>
        )}
        <label>
          {t("sync.meeting.hostAddress")}
          <input
            dir="ltr"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="http://192.168.1.20:41234"
            required
            data-testid="meeting-url"
          />
        </label>
        <label>
          {t("sync.meeting.code")}
          <input dir="ltr" value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" required data-testid="meeting-code" />
        </label>
        <button type="submit" disabled={action.busy || waiting.waiting} data-testid="join-meeting">
          {t("sync.meeting.join")}
        </button>
      </form>
      {waiting.waiting && (
        <p role="status" data-testid="guest-waiting">
          {t("sync.meeting.guestWaiting", { name: guestName.trim() })}{" "}
          <button className="link" onClick={waiting.cancel}>
            {t("sync.meeting.stopWaiting")}
          </button>
        </p>
      )}
      <ErrorLine error={action.error ?? waiting.error} />
    </div>
  );
}

/** How often a waiting guest asks the host again. */
const GUEST_RETRY_MS = 3000;

/** A guest's request to join, asked again until the host lets them in, refuses, or the guest
 * stops waiting. The host's answer is not pushed to a laptop that is not in the meeting yet, so
 * asking again is the only way to hear it. */
function useGuestWait() {
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<number | null>(null);
  const cancel = () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    setWaiting(false);
  };
  useEffect(() => cancel, []);
  const start = (input: { url: string; pairing_code: string; guest_name: string }) => {
    setError(null);
    const ask = async () => {
      try {
        await commands.joinMeeting(input);
        cancel();
      } catch (e) {
        if (e instanceof CommandError && e.code === "sync_guest_waiting") {
          setWaiting(true);
          timer.current = window.setTimeout(ask, GUEST_RETRY_MS);
        } else {
          cancel();
          setError(e);
        }
      }
    };
    void ask();
  };
  return { waiting, error, start, cancel };
}

/** The host's list of guests asking to join: each is let in by name, and then reads only the
 * agenda of the meeting the host made public. */
function HostGuests({ meeting }: { meeting: MeetingInfo }) {
  const { t } = useTranslation();
  const action = useAction();
  // A guest asking is told as a "device" event.
  const guests = useLoad(() => commands.meetingGuests({}), [], ["device"]);
  const shared = useLoad(
    () => (meeting.public_meeting ? commands.getMeeting({ id: meeting.public_meeting }) : Promise.resolve(null)),
    [meeting.public_meeting],
    meeting.public_meeting ? [{ row: meeting.public_meeting }] : [],
  );
  const list = guests.data ?? [];
  return (
    <section aria-labelledby="guests-title" data-testid="meeting-guests">
      <h3 id="guests-title">{t("sync.meeting.guests")}</h3>
      <p className="muted">
        {shared.data
          ? t("sync.meeting.publicAgenda", { title: shared.data.title })
          : t("sync.meeting.noPublicAgenda")}
      </p>
      {list.length === 0 ? (
        <p>{t("sync.meeting.noGuests")}</p>
      ) : (
        <ul className="guests">
          {list.map((g) => (
            <li key={g.key}>
              <bdi>{g.name}</bdi>{" "}
              {g.admitted ? (
                <span className="muted">{t("sync.meeting.admitted")}</span>
              ) : (
                <button
                  onClick={() => action.run(() => commands.admitGuest({ key: g.key }))}
                  disabled={action.busy}
                  data-testid="admit-guest"
                >
                  {t("sync.meeting.admit")}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorLine error={action.error ?? guests.error} />
    </section>
  );
}

/** A coalition started on this laptop has no hub yet: save its key to start the hub with
 * (`caucus-hub adopt`, which prints an invite for this person), then connect below. */
function Founding({ folder }: { folder: string | null }) {
  const { t } = useTranslation();
  const saving = useAction();
  const [path, setPath] = useState(folder ? `${folder}/caucus-coalition-key.json` : "");
  const [saved, setSaved] = useState<CoalitionKeySaved | null>(null);
  return (
    <div className="card" data-testid="sync-founding">
      <h2>{t("sync.founding.title")}</h2>
      <p>{t("sync.founding.help")}</p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const done = await saving.run(() => commands.exportCoalitionKey({ path }));
          if (done) setSaved(done);
        }}
      >
        <label>
          {t("sync.founding.path")}
          <input dir="ltr" value={path} onChange={(e) => setPath(e.target.value)} required />
        </label>
        <button type="submit" disabled={saving.busy}>
          {t("sync.founding.save")}
        </button>
        <ErrorLine error={saving.error} />
      </form>
      {saved && (
        <div role="status" data-testid="founding-saved">
          <p>{t("sync.founding.saved", { path: isolate(saved.path) })}</p>
          <pre dir="ltr">{`caucus-hub adopt --db hub.db --key ${saved.path}\ncaucus-hub serve --db hub.db --bind 0.0.0.0:7878`}</pre>
          <p>{t("sync.founding.next")}</p>
        </div>
      )}
    </div>
  );
}

function Bundles({ folder, peers }: { folder: string | null; peers: BundlePeer[] }) {
  const { t } = useTranslation();
  // For a device a bundle came from: only what it lacks, as its last bundle said.
  const [peer, setPeer] = useState("");
  const exporting = useAction();
  const importing = useAction();
  const day = new Date().toISOString().slice(0, 10);
  const suggested = folder ? `${folder}/caucus-${day}.caucus` : `caucus-${day}.caucus`;
  const [path, setPath] = useState(folder ? suggested : "");
  const [done, setDone] = useState<BundleSummary | null>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const kind = { name: t("sync.bundleKind"), extensions: ["caucus"] };
  const write = async (to: string) => {
    const summary = await exporting.run(() => commands.exportBundle({ path: to, peer: peer || null }));
    if (summary) setDone(summary);
  };
  const read = async (input: { path: string | null; content_base64: string | null }) => {
    setImportError(null);
    const summary = await importing.run(() => commands.importBundle(input));
    if (summary) setDone(summary);
  };
  return (
    <div className="card">
      <h2>{t("sync.bundleTitle")}</h2>
      <p>{t("sync.bundleHelp")}</p>
      {peers.length > 0 && (
        <label className="narrow">
          {t("sync.bundleFor")}
          <select value={peer} onChange={(e) => setPeer(e.target.value)} data-testid="bundle-peer">
            <option value="">{t("sync.bundleForAnyone")}</option>
            {peers.map((p) => (
              <option key={p.site} value={p.site}>
                {p.person ? t("sync.bundleForPerson", { name: p.person }) : t("sync.bundleForDevice", { id: p.site.slice(0, 8) })}
              </option>
            ))}
          </select>
        </label>
      )}
      {inDesktopApp() ? (
        // The system's own dialogs: a person picks the USB stick as they would in any app.
        <div className="actions">
          <button
            type="button"
            disabled={exporting.busy}
            onClick={async () => {
              const to = await exporting.run(() => chooseSaveFile(suggested, kind));
              if (to) await write(to);
            }}
          >
            {t("sync.exportTo")}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={importing.busy}
            onClick={async () => {
              const from = await importing.run(() => chooseOpenFile(kind, folder));
              if (from) await read({ path: from, content_base64: null });
            }}
          >
            {t("sync.importFrom")}
          </button>
        </div>
      ) : (
        <>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              await write(path);
            }}
          >
            <label>
              {t("sync.bundlePath")}
              <input dir="ltr" value={path} onChange={(e) => setPath(e.target.value)} required />
            </label>
            <button type="submit" disabled={exporting.busy}>
              {t("sync.export")}
            </button>
          </form>
          <FilePick
            label={t("sync.importFile")}
            accept=".caucus"
            testId="bundle-file"
            onFile={async (file) => {
              const content = await readBase64(file).catch(() => null);
              if (content === null) {
                setImportError(t("sync.unreadable"));
                return;
              }
              await read({ path: null, content_base64: content });
            }}
          />
        </>
      )}
      {exporting.busy && <p>{t("sync.phase.exporting")}</p>}
      {importing.busy && <p>{t("sync.phase.importing")}</p>}
      {importError && <p className="error" role="alert">{importError}</p>}
      <ErrorLine error={exporting.error} />
      <ErrorLine error={importing.error} />
      {done && (
        <p role="status" data-testid="bundle-done">
          {done.path
            ? t("sync.exported", { count: done.changes, path: isolate(done.path) })
            : t("sync.imported", { count: done.applied, duplicates: done.duplicates })}
        </p>
      )}
      {done?.path && <SavedFileActions path={done.path} folderOnly />}
    </div>
  );
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}


