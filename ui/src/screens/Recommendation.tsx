import { useState } from "react";
import { useTranslation } from "react-i18next";
import { commands, type Comment, type CommentKind, type Decision, type Language, type Recommendation, type Session } from "../api";
import { useAction, useLoad } from "../data";
import type { Navigate } from "../App";
import { LANGUAGES } from "./Group";
import { History } from "./History";
import { ArchiveButton, CheckList, Editor, ErrorLine, formatDate, Markdown, Options, TextEdit, Unreadable } from "./parts";

const DECISIONS: Decision[] = ["adopted", "referred", "not_adopted", "duplicate"];

export function RecommendationScreen({ id, navigate, session }: { id: string; navigate: Navigate; session: Session }) {
  const { t, i18n } = useTranslation();
  // One call: the page, the names it mentions and what the acting person may do on it.
  const data = useLoad(() => commands.recommendationPage({ id }), [id], [
    { row: id },
    "comment",
    "endorsement",
    "translation",
    "person",
    "organization",
    "coalition_group",
    "membership",
  ]);
  const action = useAction();
  const [decision, setDecision] = useState<Decision>("adopted");
  const [answer, setAnswer] = useState("");
  const [duplicateOf, setDuplicateOf] = useState("");
  if (data.error) return <ErrorLine error={data.error} />;
  if (!data.data) return <p className="loading">{t("app.loading")}</p>;
  const { recommendation: rec, group, comments, endorsements, translations, may } = data.data;
  const names = new Map<string, string>([[group.id, group.name], ...data.data.names.map((n) => [n.id, n.name] as [string, string])]);
  const nameOf = (id: string) => names.get(id) ?? "?";
  const ours = may.withdraw;
  const postedAt = new Map(data.data.posted.map((p) => [p.id, p.at_ms]));
  // Progress notes are the follow-up of an adopted recommendation; comments are the discussion.
  const notes = comments.filter((c) => c.kind === "progress_note");
  const discussion = comments.filter((c) => c.kind !== "progress_note");
  const followedUp = rec.state === "adopted" || rec.state === "follow_up";
  const post = async (body: string, kind: CommentKind) =>
    action.run(() => commands.createComment({ recommendation_id: id, body, kind }));
  const list = (shown: Comment[], testId: string) => (
    <ul className="plain comments" data-testid={testId}>
      {shown.map((c) => (
        <li key={c.id}>
          {/* Isolated, so a Latin name and a date do not run into each other in Arabic. */}
          <strong>
            <bdi>{nameOf(c.author_id)}</bdi>
          </strong>{" "}
          {postedAt.has(c.id) && (
            <bdi>
              <time className="muted" dateTime={new Date(postedAt.get(c.id)!).toISOString()}>
                {formatDate(postedAt.get(c.id)!, i18n.language)}
              </time>
            </bdi>
          )}
          <Markdown source={c.body} />
          {may.own_comments.includes(c.id) && (
            <div className="actions">
              <Editor summary={t("common.edit")}>
                {(close) => <CommentEditForm id={c.id} body={c.body} onSaved={close} />}
              </Editor>
              <ArchiveButton onArchive={() => action.run(() => commands.archiveComment({ id: c.id }))} />
            </div>
          )}
        </li>
      ))}
    </ul>
  );

  return (
    <div className="page">
      <button className="link" onClick={() => navigate({ view: "group", id: group.id })}>
        {group.name}
      </button>
      <h1 lang={rec.language} dir="auto">
        {rec.title}
      </h1>
      <Unreadable record={rec} />
      <p>
        <span className="badge" data-testid="rec-state">
          {t(`recommendation.states.${rec.state}`)}
        </span>{" "}
        <span className="muted">
          {t("recommendation.author")}: <bdi>{nameOf(rec.author_id)}</bdi>
          {rec.co_author_ids.length > 0 && (
            <span data-testid="rec-co-authors">
              {" "}
              · {t("recommendation.coAuthors")}:{" "}
              {rec.co_author_ids.map((p, i) => (
                <span key={p}>
                  {i > 0 && ", "}
                  <bdi>{nameOf(p)}</bdi>
                </span>
              ))}
            </span>
          )}{" "}
          · {t(`languages.${rec.language}`)}
        </span>
      </p>
      <p data-testid="rec-addressee">
        {t("addressee.to")}:{" "}
        {rec.addressee === "group" ? (
          <bdi>{group.name}</bdi>
        ) : rec.addressee === "coalition" || rec.addressee === "steering_committee" ? (
          t(`addressee.${rec.addressee}`)
        ) : rec.addressee_ids.length === 0 ? (
          t("common.none")
        ) : (
          rec.addressee_ids.map((o, i) => (
            <span key={o}>
              {i > 0 && ", "}
              <bdi>{nameOf(o)}</bdi>
            </span>
          ))
        )}
      </p>
      <section className="card" lang={rec.language} dir="auto">
        <Markdown source={rec.body} />
      </section>

      {/* The actions the acting person may take here, and what a refused one said. */}
      {(may.moves.length > 0 || may.archive || may.edit || action.error !== null) && (
        <section className="card">
          <div className="row">
            {may.moves.map((to) => (
              <button
                key={to}
                data-testid={`move-${to}`}
                onClick={() => action.run(() => commands.transitionRecommendation({ id, to }))}
              >
                {t(`recommendation.actions.${to}`)}
              </button>
            ))}
            {may.archive && (
              <ArchiveButton
                onArchive={async () => {
                  if (await action.run(() => commands.archiveRecommendation({ id }))) navigate({ view: "group", id: group.id });
                }}
              />
            )}
          </div>
          {may.edit && (
            <Editor summary={t("recommendation.edit")}>
              {(close) => <RecommendationEditForm rec={rec} onSaved={close} />}
            </Editor>
          )}
          <ErrorLine error={action.error} />
        </section>
      )}

      <section className="card">
        <h2>{t("translation.heading")}</h2>
        <p className="muted">
          {t("translation.original")}: {t(`languages.${rec.language}`)}
        </p>
        {translations.map((tr) => (
          <article key={tr.id} lang={tr.language} dir="auto" className="translation">
            <h3>
              {tr.title}{" "}
              <span className="badge">
                {t(`languages.${tr.language}`)} · {tr.machine ? t("translation.machine") : t("translation.human")}
              </span>
            </h3>
            <Markdown source={tr.body} />
            <TextEdit label={t("common.body")} value={tr.body} multiline save={(body) => commands.updateTranslation({ id: tr.id, body })} />
            <ArchiveButton onArchive={() => action.run(() => commands.archiveTranslation({ id: tr.id }))} />
          </article>
        ))}
        <Editor summary={t("translation.add")}>
          {(close) => <TranslationForm recommendationId={id} exclude={[rec.language, ...translations.map((x) => x.language)]} onSaved={close} />}
        </Editor>
      </section>

      {rec.answer && (
        <section className="card" data-testid="published-answer">
          <h2>{t("recommendation.publishedAnswer")}</h2>
          <Markdown source={rec.answer} />
        </section>
      )}

      {may.answer && (
        <section className="card">
          {/* A referred recommendation has the team's answer above; this one is the committee's. */}
          <h2>{t(rec.state === "referred" ? "recommendation.answerAsCommittee" : "recommendation.answer")}</h2>
          {rec.answer_draft_decision && may.publish && (
            <div className="draft">
              <p>
                <strong>{t("recommendation.draftedAnswer")}:</strong>{" "}
                {t(`recommendation.decisions.${rec.answer_draft_decision}`)}
              </p>
              <Markdown source={rec.answer_draft} />
              <button data-testid="publish-answer" onClick={() => action.run(() => commands.publishAnswer({ id }))}>
                {t("recommendation.publishAnswer")}
              </button>
            </div>
          )}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              action.run(() =>
                commands.draftAnswer({
                  id,
                  decision,
                  text: answer,
                  duplicate_of: decision === "duplicate" ? duplicateOf || null : null,
                }),
              );
            }}
          >
            <label>
              {t("recommendation.decision")}
              <select data-testid="decision" value={decision} onChange={(e) => setDecision(e.target.value as Decision)}>
                <Options values={DECISIONS} labels="recommendation.decisions" />
              </select>
            </label>
            <label>
              {t("recommendation.answerText")}
              <textarea name="answer-text" value={answer} onChange={(e) => setAnswer(e.target.value)} />
            </label>
            {decision === "duplicate" && (
              <label>
                {t("recommendation.duplicateOf")}
                <input value={duplicateOf} onChange={(e) => setDuplicateOf(e.target.value)} />
              </label>
            )}
            <button type="submit" data-testid="draft-answer">
              {t("recommendation.draftAnswer")}
            </button>
          </form>
        </section>
      )}

      <section className="card">
        <h2>{t("recommendation.endorsements", { count: endorsements.length })}</h2>
        <ul className="plain">
          {endorsements.map((e) => (
            <li key={e.id}>
              {nameOf(e.organization_id)} <span className="muted">({nameOf(e.person_id)})</span>
            </li>
          ))}
        </ul>
        {ours && (
          <button onClick={() => action.run(() => commands.archiveEndorsement({ id: ours }))}>
            {t("recommendation.withdrawEndorsement")}
          </button>
        )}
        {may.endorse && (
          <button onClick={() => action.run(() => commands.endorseRecommendation({ recommendation_id: id }))}>
            {t("recommendation.endorse")}
          </button>
        )}
        {may.standing && (
          <p className="notice" data-testid="cannot-endorse">
            {t(`organizationStatus.cannotEndorse.${may.standing}`)}
          </p>
        )}
      </section>

      {(followedUp || notes.length > 0) && (
        <section className="card" data-testid="follow-up">
          <h2>{t("recommendation.followUp")}</h2>
          {notes.length === 0 && <p className="muted">{t("recommendation.noProgress")}</p>}
          {list(notes, "progress-notes")}
          {may.comment && followedUp && (
            <PostForm
              name="progress"
              label={t("recommendation.progressNote")}
              submit={t("recommendation.addProgress")}
              post={(body) => post(body, "progress_note")}
            />
          )}
        </section>
      )}

      <section className="card">
        <h2>{t("recommendation.comments")}</h2>
        {list(discussion, "comments")}
        {may.comment && (
          <PostForm name="comment" label={t("recommendation.addComment")} submit={t("common.add")} post={(body) => post(body, "comment")} />
        )}
      </section>

      <History kind="recommendation" id={id} names={names} session={session} />
    </div>
  );
}

/** A text to post (a comment, a progress note): emptied once it is posted. */
function PostForm({ name, label, submit, post }: { name: string; label: string; submit: string; post: (body: string) => Promise<unknown> }) {
  const [body, setBody] = useState("");
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (await post(body)) setBody("");
      }}
    >
      <label>
        {label}
        <textarea name={name} value={body} onChange={(e) => setBody(e.target.value)} required />
      </label>
      <button type="submit">{submit}</button>
    </form>
  );
}

function RecommendationEditForm({ rec, onSaved }: { rec: Recommendation; onSaved: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ title: rec.title, body: rec.body, language: rec.language });
  const [coAuthors, setCoAuthors] = useState(rec.co_author_ids);
  // Who may write it with its author: the team's members (not who only asked to join, nor
  // observers), and whoever already does.
  const team = useLoad(async () => {
    const [memberships, people] = await Promise.all([
      commands.listMemberships({ group_id: rec.group_id }),
      commands.listPeople({}),
    ]);
    const byId = new Map(people.map((p) => [p.id, p]));
    const writers = memberships.filter((m) => m.role !== "applicant" && m.role !== "observer").map((m) => m.person_id);
    return [...new Set([...writers, ...rec.co_author_ids])]
      .filter((p) => p !== rec.author_id)
      .flatMap((p) => byId.get(p) ?? [])
      .map((p) => ({ id: p.id, label: p.name }));
  }, [rec.group_id, rec.author_id, rec.co_author_ids.join()], ["membership", "person"]);
  const action = useAction();
  const changed = (a: string[], b: string[]) => a.length !== b.length || a.some((x) => !b.includes(x));
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        const patch = { id: rec.id, ...draft, co_author_ids: changed(coAuthors, rec.co_author_ids) ? coAuthors : null };
        if (await action.run(() => commands.updateRecommendation(patch))) onSaved();
      }}
    >
      <label>
        {t("common.title")}
        <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required />
      </label>
      <label>
        {t("common.body")}
        <textarea value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} required />
      </label>
      <label>
        {t("common.language")}
        <select value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value as Language })}>
          <Options values={LANGUAGES} labels="languages" />
        </select>
      </label>
      {team.data && team.data.length > 0 && (
        <CheckList
          legend={t("recommendation.coAuthors")}
          testId="rec-co-author-choice"
          items={team.data}
          chosen={coAuthors}
          onChange={setCoAuthors}
        />
      )}
      <ErrorLine error={action.error} />
      <button type="submit">{t("common.save")}</button>
    </form>
  );
}

function TranslationForm({ recommendationId, exclude, onSaved }: { recommendationId: string; exclude: Language[]; onSaved: () => void }) {
  const { t } = useTranslation();
  const choices = LANGUAGES.filter((l) => !exclude.includes(l));
  const [draft, setDraft] = useState({ language: choices[0] ?? "en", title: "", body: "", machine: false });
  const action = useAction();
  if (choices.length === 0) return null;
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (await action.run(() => commands.createTranslation({ recommendation_id: recommendationId, ...draft }))) onSaved();
      }}
    >
      <label>
        {t("common.language")}
        <select value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value as Language })}>
          <Options values={choices} labels="languages" />
        </select>
      </label>
      <label>
        {t("common.title")}
        <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required />
      </label>
      <label>
        {t("common.body")}
        <textarea value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} required />
      </label>
      <label className="check">
        <input type="checkbox" checked={draft.machine} onChange={(e) => setDraft({ ...draft, machine: e.target.checked })} />
        {t("translation.machine")}
      </label>
      <ErrorLine error={action.error} />
      <button type="submit">{t("common.add")}</button>
    </form>
  );
}

function CommentEditForm({ id, body, onSaved }: { id: string; body: string; onSaved: () => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(body);
  const action = useAction();
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault();
        if (await action.run(() => commands.updateComment({ id, body: text }))) onSaved();
      }}
    >
      <textarea aria-label={t("common.body")} value={text} onChange={(e) => setText(e.target.value)} required />
      <ErrorLine error={action.error} />
      <button type="submit">{t("common.save")}</button>
    </form>
  );
}
