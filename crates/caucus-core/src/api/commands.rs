// The command list: every command a front end may call, with its input and output types.
//
// This file is the single declaration. `for_each_command!(m)` hands the list to a macro `m`,
// which turns it into the core dispatcher (`api::dispatch`), the Tauri commands and handler
// (src-tauri), the app manifest (src-tauri/build.rs, which `include!`s this file), and the
// TypeScript client (`bindings`). Each command is a method of `Caucus` with the same name.
//
// It holds only the macros, so build scripts can include it without the rest of the crate.

/// Hands the command list, `name(Input) -> Output;` each, to the macro `$m` (see the top of
/// this file).
#[macro_export]
macro_rules! for_each_command {
    // `$prefix` (optional) goes before the list, for a macro that needs more than the list.
    ($m:ident $(, $($prefix:tt)*)?) => {
        $m! {
            $($($prefix)*)?
            get_session(NoInput) -> Session;
            set_acting_person(ActAs) -> Session;
            load_demo_data(NoInput) -> DemoSummary;
            create_coalition(CreateCoalition) -> Session;
            record_history(HistoryQuery) -> Vec<HistoryEntry>;
            search(SearchQuery) -> Vec<SearchHit>;
            my_work(NoInput) -> MyWork;
            mark_my_work_seen(NoInput) -> MyWork;
            export_records(ExportRecords) -> ExportSummary;
            export_report(ExportReport) -> ReportSummary;
            group_dashboard(IdInput) -> Dashboard;
            notifications(NotificationQuery) -> Notifications;
            mark_notifications_read(NotificationQuery) -> Notifications;
            hear_from_group(HearFromGroup) -> Notifications;

            sync_status(NoInput) -> SyncStatus;
            refused_changes(NoInput) -> Vec<RefusedChange>;
            connect_hub(ConnectHub) -> SyncStatus;
            sync_now(NoInput) -> SyncStatus;
            export_bundle(ExportBundle) -> BundleSummary;
            import_bundle(ImportBundle) -> BundleSummary;
            export_coalition_key(ExportCoalitionKey) -> CoalitionKeySaved;
            host_meeting(HostMeeting) -> SyncStatus;
            find_meetings(NoInput) -> Vec<FoundMeeting>;
            join_meeting(JoinMeeting) -> SyncStatus;
            leave_meeting(NoInput) -> SyncStatus;
            meeting_guests(NoInput) -> Vec<MeetingGuest>;
            admit_guest(AdmitGuest) -> Vec<MeetingGuest>;
            attend_as_guest(NoInput) -> SyncStatus;
            meeting_guests_present(MeetingGuestsPresent) -> Vec<GuestPresent>;

            create_organization(NewOrganization) -> Organization;
            update_organization(OrganizationPatch) -> Organization;
            get_organization(IdInput) -> Organization;
            list_organizations(OrganizationFilter) -> Vec<Organization>;
            archive_organization(IdInput) -> Organization;

            create_person(NewPerson) -> Person;
            update_person(PersonPatch) -> Person;
            get_person(IdInput) -> Person;
            list_people(PersonFilter) -> Vec<Person>;
            archive_person(IdInput) -> Person;

            create_group(NewGroup) -> Group;
            update_group(GroupPatch) -> Group;
            get_group(IdInput) -> Group;
            list_groups(GroupFilter) -> Vec<Group>;
            archive_group(IdInput) -> Group;

            join_group(JoinGroup) -> Membership;
            leave_group(LeaveGroup) -> Membership;
            update_membership(MembershipPatch) -> Membership;
            get_membership(IdInput) -> Membership;
            list_memberships(MembershipFilter) -> Vec<Membership>;

            create_tracked_issue(NewTrackedIssue) -> TrackedIssue;
            update_tracked_issue(TrackedIssuePatch) -> TrackedIssue;
            get_tracked_issue(IdInput) -> TrackedIssue;
            list_tracked_issues(TrackedIssueFilter) -> Vec<TrackedIssue>;
            archive_tracked_issue(IdInput) -> TrackedIssue;

            create_recommendation(NewRecommendation) -> Recommendation;
            update_recommendation(RecommendationPatch) -> Recommendation;
            get_recommendation(IdInput) -> Recommendation;
            recommendation_page(IdInput) -> RecommendationPage;
            list_recommendations(RecommendationFilter) -> Vec<Recommendation>;
            archive_recommendation(IdInput) -> Recommendation;
            transition_recommendation(Transition) -> Recommendation;
            draft_answer(DraftAnswer) -> Recommendation;
            publish_answer(IdInput) -> Recommendation;

            create_translation(NewTranslation) -> Translation;
            update_translation(TranslationPatch) -> Translation;
            get_translation(IdInput) -> Translation;
            list_translations(TranslationFilter) -> Vec<Translation>;
            archive_translation(IdInput) -> Translation;

            endorse_recommendation(Endorse) -> Endorsement;
            get_endorsement(IdInput) -> Endorsement;
            list_endorsements(EndorsementFilter) -> Vec<Endorsement>;
            archive_endorsement(IdInput) -> Endorsement;

            create_comment(NewComment) -> Comment;
            update_comment(CommentPatch) -> Comment;
            get_comment(IdInput) -> Comment;
            list_comments(CommentFilter) -> Vec<Comment>;
            archive_comment(IdInput) -> Comment;

            create_meeting(NewMeeting) -> Meeting;
            update_meeting(MeetingPatch) -> Meeting;
            get_meeting(IdInput) -> Meeting;
            list_meetings(MeetingFilter) -> Vec<Meeting>;
            archive_meeting(IdInput) -> Meeting;

            create_agenda_item(NewAgendaItem) -> AgendaItem;
            update_agenda_item(AgendaItemPatch) -> AgendaItem;
            get_agenda_item(IdInput) -> AgendaItem;
            list_agenda_items(AgendaItemFilter) -> Vec<AgendaItem>;
            archive_agenda_item(IdInput) -> AgendaItem;

            record_attendance(NewAttendance) -> Attendance;
            update_attendance(AttendancePatch) -> Attendance;
            get_attendance(IdInput) -> Attendance;
            list_attendance(AttendanceFilter) -> Vec<Attendance>;
            archive_attendance(IdInput) -> Attendance;

            create_decision(NewMeetingDecision) -> MeetingDecision;
            update_decision(MeetingDecisionPatch) -> MeetingDecision;
            get_decision(IdInput) -> MeetingDecision;
            list_decisions(MeetingDecisionFilter) -> Vec<MeetingDecision>;
            archive_decision(IdInput) -> MeetingDecision;
            minutes(MinutesQuery) -> MinutesState;
            edit_minutes(EditMinutes) -> MinutesState;
            name_minute_taker(NewMinuteTaker) -> MinuteTaker;
            list_minute_takers(MinuteTakerFilter) -> Vec<MinuteTaker>;
            archive_minute_taker(IdInput) -> MinuteTaker;
        }
    };
}

// The desktop shell's own commands: they act on the database file (whether it is locked,
// unlocking it, encrypting it), so only the shell has them — the HTTP bridge answers
// `unknown_command`. Declared here beside the others, so the shell's handler, its app
// manifest and the UI's typed client all come from one list.
/// Hands the desktop shell's own commands to the macro `$m`, as [`for_each_command!`] does.
#[macro_export]
macro_rules! for_each_shell_command {
    ($m:ident $(, $($prefix:tt)*)?) => {
        $m! {
            $($($prefix)*)?
            database_status(NoInput) -> DatabaseStatus;
            unlock_database(Unlock) -> Done;
            encrypt_database(Encrypt) -> Done;
        }
    };
}
