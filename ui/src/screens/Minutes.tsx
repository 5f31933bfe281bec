// A meeting's minutes, written together: this screen edits its own Yjs copy of the text and
// sends the replica what it lacks a moment after each pause in typing; what others wrote
// arrives through the backend's events and is merged into the copy under the cursor, which
// stays where it was. The replica merges the same edits with yrs (crates/caucus-core/src/collab.rs).
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import * as Y from "yjs";
import { commands, type MinutesState } from "../api";
import { onTouched } from "../data";
import { ErrorLine, Markdown } from "./parts";

/** How long typing pauses before the edit is sent. */
const SEND_AFTER_MS = 250;
/** The origin of what the replica sent: not to be sent back. */
const FROM_REPLICA = "replica";

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** The one change between two values of a text box: what was removed where, what was typed. */
export function splice(before: string, after: string): { at: number; removed: number; inserted: string } {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  let end = 0;
  while (end < max - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { at: start, removed: before.length - start - end, inserted: after.slice(start, after.length - end) };
}

export function MinutesEditor({ meetingId }: { meetingId: string }) {
  const { t } = useTranslation();
  const [doc] = useState(() => new Y.Doc());
  const ytext = doc.getText("text");
  const [text, setText] = useState<string | null>(null);
  const [mayEdit, setMayEdit] = useState(false);
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState<"saved" | "saving" | null>(null);
  const [error, setError] = useState<unknown>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  // The replica's state vector as last answered: edits are sent against it.
  const replicaSv = useRef<Uint8Array>(new Uint8Array([0]));
  const timer = useRef<number | null>(null);
  const sending = useRef<Promise<void>>(Promise.resolve());

  // What the replica answered, merged into this copy.
  const take = (state: MinutesState) => {
    Y.applyUpdateV2(doc, fromBase64(state.update), FROM_REPLICA);
    replicaSv.current = fromBase64(state.state_vector);
    setMayEdit(state.may_edit);
  };

  const known = () => toBase64(Y.encodeStateVector(doc));

  // Sends what this copy holds that the replica lacks (nothing when it lacks nothing).
  const send = () => {
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = null;
    sending.current = sending.current.then(async () => {
      // Everything the replica lacks, deletions included (the replica stores nothing when it
      // lacks nothing).
      const edit = Y.encodeStateAsUpdateV2(doc, replicaSv.current);
      setStatus("saving");
      try {
        take(await commands.editMinutes({ meeting_id: meetingId, edit: toBase64(edit), known: known() }));
        setStatus("saved");
        setError(null);
      } catch (e) {
        setStatus(null);
        setError(e);
      }
    });
    return sending.current;
  };

  useEffect(() => {
    let live = true;
    commands.minutes({ meeting_id: meetingId }).then(
      (state) => {
        if (!live) return;
        take(state);
        // Minutes written before they were written together start the first editor's copy.
        if (!state.written_together && state.text) ytext.insert(0, state.text);
        setText(ytext.toString());
      },
      (e) => live && setError(e),
    );
    // What others wrote, as it arrives.
    const stop = onTouched((touched) => {
      if (!touched.rows.has(meetingId) && !touched.tables.has("minutes_edit")) return;
      commands.minutes({ meeting_id: meetingId, known: known() }).then((state) => live && take(state), () => {});
    });
    // The text box follows the copy, keeping the cursor where it was in the text around it.
    const follow = (event: Y.YTextEvent, tr: Y.Transaction) => {
      setText(ytext.toString());
      const el = box.current;
      if (!el || tr.origin !== FROM_REPLICA) return;
      let start = el.selectionStart;
      let end = el.selectionEnd;
      let index = 0;
      for (const op of event.delta) {
        if (op.retain) index += op.retain;
        else if (op.insert) {
          const n = (op.insert as string).length;
          if (index < start) start += n;
          if (index < end) end += n;
          index += n;
        } else if (op.delete) {
          if (index < start) start = Math.max(index, start - op.delete);
          if (index < end) end = Math.max(index, end - op.delete);
        }
      }
      el.value = ytext.toString();
      el.setSelectionRange(start, end);
    };
    ytext.observe(follow);
    return () => {
      live = false;
      stop();
      ytext.unobserve(follow);
      if (timer.current !== null) void send();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [meetingId]);

  if (text === null) return error ? <ErrorLine error={error} /> : <p className="loading">{t("app.loading")}</p>;
  if (!editing) {
    return (
      <>
        <Markdown source={text} />
        {mayEdit && <button onClick={() => setEditing(true)}>{t("meeting.editMinutes")}</button>}
        <ErrorLine error={error} />
      </>
    );
  }
  return (
    <div className="minutes-editor">
      <p className="muted" id="minutes-help">
        {t("meeting.minutesTogether")}
      </p>
      <textarea
        ref={box}
        name="minutes"
        dir="auto"
        aria-describedby="minutes-help"
        defaultValue={text}
        onChange={(e) => {
          const { at, removed, inserted } = splice(ytext.toString(), e.target.value);
          doc.transact(() => {
            if (removed) ytext.delete(at, removed);
            if (inserted) ytext.insert(at, inserted);
          });
          setStatus("saving");
          if (timer.current !== null) window.clearTimeout(timer.current);
          timer.current = window.setTimeout(() => void send(), SEND_AFTER_MS);
        }}
      />
      <div className="row">
        <button
          type="button"
          onClick={async () => {
            await send();
            setEditing(false);
          }}
        >
          {t("meeting.doneEditing")}
        </button>
        <span className="muted" role="status">
          {status === "saving" ? t("meeting.minutesSaving") : status === "saved" ? t("meeting.minutesSaved") : ""}
        </span>
      </div>
      <ErrorLine error={error} />
    </div>
  );
}
