import { describe, expect, it } from "vitest";
import type { Organization, Person } from "./api";
import { findCandidates, fold, matchPasted } from "./members";

const person = (id: string, name: string, email: string, organization_id: string | null = null): Person => ({
  id,
  archived: false,
  name,
  email,
  organization_id,
  secretariat_admin: false,
});
const org = (id: string, name: string) => ({ id, name }) as Organization;

const people = [
  person("1", "José Ramírez", "jose@fidh.org", "a"),
  person("2", "Amal Haddad", "amal@example.org", "b"),
  person("3", "Sam Lee", "sam@example.org", "b"),
  person("4", "Sam Lee", "sam.lee@example.net", null),
  person("5", "ليلى حداد", "layla@example.org", "a"),
];

describe("finding people to add", () => {
  it("ignores case and accents", () => {
    expect(fold("  José ")).toBe("jose");
    expect(findCandidates("jose", people, [], 8).people.map((p) => p.id)).toEqual(["1"]);
  });

  it("finds by email, and an organization with the people it would bring", () => {
    const found = findCandidates("example.org", people, [org("b", "Example Org")], 8);
    expect(found.people.map((p) => p.id)).toEqual(["2", "3", "5"]);
    const byOrg = findCandidates("example", people, [org("b", "Example Org"), org("c", "Example, nobody")], 8);
    expect(byOrg.organizations.map((o) => [o.organization.id, o.people.map((p) => p.id)])).toEqual([["b", ["2", "3"]]]);
  });

  it("finds Arabic names", () => {
    expect(findCandidates("ليلى", people, [], 8).people.map((p) => p.id)).toEqual(["5"]);
  });

  it("matches a pasted list by email or exact name, and says what it could not place", () => {
    const { found, unknown } = matchPasted(
      "amal@EXAMPLE.org\nJose Ramirez; Sam Lee\nLayla <layla@example.org>, sam.lee@example.net\nNobody Known\n\n",
      people,
    );
    expect(found.map((p) => p.id)).toEqual(["2", "1", "5", "4"]);
    // Two people are called Sam Lee: the name alone cannot say which.
    expect(unknown).toEqual(["Sam Lee", "Nobody Known"]);
  });

  it("keeps a name with a comma whole", () => {
    const rep = person("6", "Representative, Amnesty International", "");
    expect(matchPasted("Representative, Amnesty International", [rep]).found.map((p) => p.id)).toEqual(["6"]);
  });
});
