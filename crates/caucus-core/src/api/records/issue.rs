//! Tracked issues: the generic commands; a group's leaders and focal points keep them.

use super::record_commands;
use crate::model::*;

record_commands!(
    TrackedIssue,
    NewTrackedIssue,
    TrackedIssuePatch,
    TrackedIssueFilter,
    create_tracked_issue,
    update_tracked_issue,
    get_tracked_issue,
    list_tracked_issues,
    archive_tracked_issue
);
