-- What My work reads on the first screen, found without reading every record: the
-- recommendations addressed to organizations (few of the coalition's), and the issues
-- assigned to a person, by a scan of this index rather than of every issue with its text
-- (the assignees are a JSON array, which no index can unpack: 50 ms -> 9 ms over 80,000
-- issues; docs/benchmarks.md, "The first screen").
CREATE INDEX recommendation_addressee ON recommendation (addressee);
CREATE INDEX tracked_issue_assignees ON tracked_issue (assignee_ids, status, cl);
