// What the acting person may do, mirrored from caucus-core's rights and lifecycle so the UI
// offers only the actions that will succeed. The core checks every command again; this file
// only decides what to show.
import type { Recommendation, RecommendationState, Role, Session } from "./api";

export function roleIn(session: Session, groupId: string): Role | null {
  return session.memberships.find((m) => m.group_id === groupId)?.role ?? null;
}

export function isAdmin(session: Session): boolean {
  return session.acting_person?.secretariat_admin ?? false;
}

/** Leader or focal point of the group, or the secretariat: keeps the group's records. */
export function leads(session: Session, groupId: string): boolean {
  const role = roleIn(session, groupId);
  return isAdmin(session) || role === "leader" || role === "focal_point";
}

/** Answers and reviews are the team's own: the secretariat does not move the lifecycle. */
function answersFor(session: Session, groupId: string): boolean {
  const role = roleIn(session, groupId);
  return role === "leader" || role === "focal_point";
}

export function canPost(session: Session, groupId: string): boolean {
  const role = roleIn(session, groupId);
  return isAdmin(session) || role === "leader" || role === "focal_point" || role === "member";
}

function isAuthor(session: Session, rec: Recommendation): boolean {
  const me = session.acting_person?.id;
  return !!me && (rec.author_id === me || rec.co_author_ids.includes(me));
}

/** The plain state moves the acting person may make from the recommendation's state. */
export function movesFor(session: Session, rec: Recommendation): RecommendationState[] {
  const team = answersFor(session, rec.group_id);
  const author = isAuthor(session, rec);
  const moves: RecommendationState[] = [];
  const s = rec.state;
  if (s === "draft" && author) moves.push("open");
  if (s === "open" && team) moves.push("under_review");
  if (s === "under_review" && team) moves.push("open");
  if ((s === "adopted" || s === "not_adopted" || s === "duplicate") && team) moves.push("follow_up");
  if ((s === "adopted" || s === "not_adopted" || s === "duplicate" || s === "follow_up") && team) moves.push("closed");
  if (s !== "closed" && s !== "withdrawn" && author) moves.push("withdrawn");
  return moves;
}

export function canAnswer(session: Session, rec: Recommendation): boolean {
  if (rec.state === "under_review") return answersFor(session, rec.group_id);
  if (rec.state === "referred") return session.steering;
  return false;
}

export function canEdit(session: Session, rec: Recommendation): boolean {
  if (rec.state === "closed" || rec.state === "withdrawn") return false;
  return answersFor(session, rec.group_id) || (isAuthor(session, rec) && (rec.state === "draft" || rec.state === "open"));
}
