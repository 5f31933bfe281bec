// Finding the people to add to a group: by a typed fragment of a name, email or organization,
// or by a pasted list of names and emails (from a sign-up sheet or an email thread).
import type { Organization, Person } from "./api";

/** How names are compared: case and accents ignored ("José" finds "jose"), as search does. */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase().trim();
}

/** The people and organizations a typed fragment finds among those who may be added. */
export function findCandidates(
  query: string,
  candidates: Person[],
  organizations: Organization[],
  limit: number,
): { people: Person[]; organizations: { organization: Organization; people: Person[] }[] } {
  const q = fold(query);
  if (!q) return { people: [], organizations: [] };
  const people = candidates.filter((p) => fold(p.name).includes(q) || fold(p.email).includes(q)).slice(0, limit);
  const found = organizations
    .filter((o) => fold(o.name).includes(q))
    .map((organization) => ({
      organization,
      people: candidates.filter((p) => p.organization_id === organization.id),
    }))
    .filter((o) => o.people.length > 0)
    .slice(0, limit);
  return { people, organizations: found };
}

/** A pasted list's entries: one a line or between semicolons; commas separate entries only
 * where each part is an email ("a@x.org, b@y.org"), since names hold commas ("Representative,
 * Amnesty International"). */
function entries(text: string): string[] {
  return text.split(/[\n;]+/).flatMap((segment) => {
    const parts = segment.split(",");
    return parts.length > 1 && parts.every((p) => p.includes("@")) ? parts : [segment];
  });
}

/** A pasted list matched exactly to people's emails or names; "Name <email>" counts by its
 * email. Entries that match nobody, or a name that several people share, are returned as they
 * were written, to be said. */
export function matchPasted(text: string, candidates: Person[]): { found: Person[]; unknown: string[] } {
  const found = new Map<string, Person>();
  const unknown: string[] = [];
  for (const raw of entries(text)) {
    const entry = raw.trim();
    if (!entry) continue;
    const email = entry.match(/<([^>]+)>/)?.[1] ?? (entry.includes("@") ? entry : null);
    const key = fold(email ?? entry);
    const matches = candidates.filter((p) => (email ? fold(p.email) === key : fold(p.name) === key));
    if (matches.length === 1) found.set(matches[0].id, matches[0]);
    else unknown.push(entry);
  }
  return { found: [...found.values()], unknown };
}
