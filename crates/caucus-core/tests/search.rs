//! Full-text search on a real replica: every kind of record, in any language, as the index
//! follows local edits, archiving and merged changes.

use caucus_core::api::*;
use caucus_core::model::IdInput;
use caucus_core::Caucus;
use serde_json::json;

async fn demo() -> (tempfile::TempDir, Caucus) {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = Caucus::open(&dir.path().join("c.db")).await.expect("open");
    c.load_demo_data(NoInput {}).await.expect("demo");
    (dir, c)
}

async fn find(c: &Caucus, text: &str) -> Vec<SearchHit> {
    c.search(SearchQuery {
        text: text.into(),
        limit: None,
    })
    .await
    .expect("search")
}

#[tokio::test]
async fn finds_records_of_every_kind_in_every_language() {
    let (_dir, c) = demo().await;
    let hits = find(&c, "trust fund").await;
    assert!(
        hits.iter().any(|h| h.kind == "recommendation"
            && h.title.replace(['\u{2}', '\u{3}'], "")
                == "Protect the budget of the Trust Fund for Victims"),
        "{hits:?}"
    );
    let hit = &hits[0];
    assert!(
        hit.snippet.contains('\u{2}'),
        "the matched words are marked: {}",
        hit.snippet
    );
    // Prefixes, accents and Arabic.
    assert!(
        !find(&c, "candidatur").await.is_empty(),
        "a prefix finds Spanish text"
    );
    assert!(
        !find(&c, "comision andina").await.is_empty(),
        "accents do not matter"
    );
    let arabic = find(&c, "الجنسين").await;
    assert!(
        arabic.iter().any(|h| h.kind == "recommendation"),
        "Arabic text is found: {arabic:?}"
    );
    assert!(find(&c, "Melinda").await.iter().any(|h| h.kind == "person"));
    assert!(find(&c, "Budget").await.iter().any(|h| h.kind == "group"));
    // Odd input is text, never FTS syntax, and never an error.
    for odd in [
        "\"",
        "*",
        "a OR b",
        "NEAR(",
        "-",
        "'; DROP TABLE x; --",
        "trust\0fund",
        "\0",
        "\u{7}\u{1b}[31m",
    ] {
        c.search(SearchQuery {
            text: odd.into(),
            limit: None,
        })
        .await
        .expect("odd input is not an error");
    }
    assert!(
        !find(&c, "trust\0fund").await.is_empty(),
        "U+0000 separates words like a space"
    );
    let long = "x".repeat(201);
    let err = c
        .search(SearchQuery {
            text: long,
            limit: None,
        })
        .await
        .expect_err("too long");
    assert_eq!(err.code(), "invalid");
}

#[tokio::test]
async fn the_index_follows_edits_archiving_and_merges() {
    let (_dir, c) = demo().await;
    let hit = find(&c, "Protect the budget")
        .await
        .into_iter()
        .find(|h| h.kind == "recommendation")
        .expect("found");
    let author = c
        .get_recommendation(IdInput { id: hit.id })
        .await
        .expect("rec")
        .author_id;
    c.set_acting_person(ActAs {
        person_id: Some(author),
    })
    .await
    .expect("act");
    dispatch(
        &c,
        "update_recommendation",
        json!({"id": hit.id, "title": "Defend the victims' reparations budget"}),
    )
    .await
    .expect("edit");
    assert!(
        !find(&c, "reparations").await.is_empty(),
        "a local edit is found at once"
    );
    assert!(
        find(&c, "Protect the budget")
            .await
            .iter()
            .all(|h| h.id != hit.id),
        "the old title is gone"
    );

    // A comment, then archived.
    let comment = dispatch(
        &c,
        "create_comment",
        json!({"recommendation_id": hit.id, "body": "Kampala declaration applies"}),
    )
    .await
    .expect("comment");
    let found = find(&c, "kampala").await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].target_kind.as_str(), found[0].target_id),
        ("recommendation", hit.id),
        "a comment opens its recommendation"
    );
    dispatch(&c, "archive_comment", json!({"id": comment["id"]}))
        .await
        .expect("archive");
    assert!(
        find(&c, "kampala").await.is_empty(),
        "archived records are not found"
    );

    // Changes merged from another replica are indexed too.
    let other_dir = tempfile::tempdir().expect("temp dir");
    let other = Caucus::open(&other_dir.path().join("o.db"))
        .await
        .expect("open");
    let all = c.store().all_changes().await.expect("log");
    other
        .store()
        .merge_remote(&all, caucus_core::hlc::wall_ms())
        .await
        .expect("merge");
    assert!(
        !find(&other, "reparations").await.is_empty(),
        "merged records are found"
    );
    assert!(
        find(&other, "kampala").await.is_empty(),
        "and merged archiving hides them"
    );
    // The index each merge brought up to date, batch by batch, is the one the records make.
    for replica in [&c, &other] {
        let kept = index_of(replica).await;
        assert!(kept.len() > 20, "the demo is indexed: {}", kept.len());
        assert_eq!(
            kept,
            rebuilt(replica).await,
            "the index matches its records"
        );
    }
}

/// The index built again from the records.
async fn rebuilt(c: &Caucus) -> Vec<(i64, String, String, String, String, String, String)> {
    let mut conn = c.store().pool().acquire().await.expect("conn");
    caucus_core::store::search::rebuild(&mut conn)
        .await
        .expect("rebuild");
    drop(conn);
    index_of(c).await
}

/// Every entry of the search index and of the titles' index, in rowid order.
async fn index_of(c: &Caucus) -> Vec<(i64, String, String, String, String, String, String)> {
    sqlx::query_as(
        "SELECT rowid, kind, id, target_kind, target_id, title, coalesce(body, '')
         FROM search_index
         UNION ALL SELECT rowid, 'a title entry', '', '', '', '', '' FROM search_title
         ORDER BY 1, 2",
    )
    .fetch_all(c.store().pool())
    .await
    .expect("index")
}

/// A word in more records than ranking can read quickly: the records with it in their title
/// still come first, and the page is full.
#[tokio::test]
async fn a_common_word_still_finds_titles_first() {
    let (_dir, c) = demo().await;
    let hit = find(&c, "Protect the budget")
        .await
        .into_iter()
        .find(|h| h.kind == "recommendation")
        .expect("found");
    let author = c
        .get_recommendation(IdInput { id: hit.id })
        .await
        .expect("rec")
        .author_id;
    c.set_acting_person(ActAs {
        person_id: Some(author),
    })
    .await
    .expect("act");
    dispatch(
        &c,
        "update_recommendation",
        json!({"id": hit.id, "title": "Zebra crossings outside the Court"}),
    )
    .await
    .expect("edit");
    let comments = caucus_core::store::search::RANKED_AT_MOST as usize + 100;
    for i in 0..comments {
        dispatch(
            &c,
            "create_comment",
            json!({"recommendation_id": hit.id, "body": format!("zebra note {i}")}),
        )
        .await
        .expect("comment");
    }
    let found = find(&c, "zebra").await;
    assert_eq!(found.len(), 20, "a full page");
    assert_eq!(
        (found[0].kind.as_str(), found[0].id),
        ("recommendation", hit.id),
        "the title match comes first, though {comments} newer comments match"
    );
    assert!(found[1..].iter().all(|h| h.kind == "comment"));
}

/// Search knows the coalition's languages: Arabic with or without the article or a
/// preposition, French without its accents, Spanish and Portuguese singulars for plurals; the
/// snippets are plain text; agenda items and decisions are found.
#[tokio::test]
async fn search_knows_the_coalitions_languages() {
    let (_dir, c) = demo().await;
    let groups = dispatch(&c, "list_groups", json!({}))
        .await
        .expect("groups");
    let team = groups
        .as_array()
        .expect("list")
        .iter()
        .find(|g| g["name"] == "Budget and finance")
        .expect("team")["id"]
        .clone();
    for (language, title, body) in [
        (
            "ar",
            "انتخاب القضاة في الجمعية",
            "ندعو إلى دعم الصندوق الاستئماني **للضحايا** في الميزانية.",
        ),
        (
            "fr",
            "Élection des juges de la Cour",
            "Un processus de nomination transparent.",
        ),
        (
            "es",
            "Proteger a las víctimas",
            "Las **organizaciones** de la sociedad civil piden reparaciones.",
        ),
        (
            "pt",
            "Os direitos das vítimas",
            "As organizações pedem reparações às vítimas.",
        ),
    ] {
        dispatch(
            &c,
            "create_recommendation",
            json!({"group_id": team, "title": title, "body": body, "language": language}),
        )
        .await
        .expect("create");
    }
    let titles = |hits: Vec<SearchHit>| -> Vec<String> {
        hits.into_iter()
            .map(|h| h.title.replace(['\u{2}', '\u{3}'], ""))
            .collect()
    };
    for (typed, expected) in [
        ("قضاة", "انتخاب القضاة في الجمعية"),
        ("القضاة", "انتخاب القضاة في الجمعية"),
        ("الضحايا", "انتخاب القضاة في الجمعية"),
        ("election juges", "Élection des juges de la Cour"),
        ("víctima", "Proteger a las víctimas"),
        ("organización", "Proteger a las víctimas"),
        ("direito", "Os direitos das vítimas"),
        ("organização", "Os direitos das vítimas"),
    ] {
        let found = titles(find(&c, typed).await);
        assert!(
            found.iter().any(|t| t == expected),
            "{typed} finds {expected}: {found:?}"
        );
    }
    let hit = find(&c, "organizaciones")
        .await
        .into_iter()
        .find(|h| h.kind == "recommendation")
        .expect("found");
    assert!(
        !hit.snippet.contains("**"),
        "a snippet is the text a reader sees: {}",
        hit.snippet
    );
    assert!(
        hit.snippet.contains("\u{2}organizaciones\u{3}"),
        "its matched word is marked: {}",
        hit.snippet
    );
    let agenda = find(&c, "division of labour").await;
    assert!(
        agenda
            .iter()
            .any(|h| h.kind == "agenda_item" && h.target_kind == "meeting"),
        "an agenda item is found, and opens its meeting: {agenda:?}"
    );
}

/// A first sync marks the index to be built once: merges leave it alone meanwhile, and the
/// build at the end (or the next open, after a kill) makes the index the records make.
#[tokio::test]
async fn an_index_built_after_a_first_sync_is_the_one_the_records_make() {
    let (_dir, c) = demo().await;
    let all = c.store().all_changes().await.expect("log");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("new.db");
    let fresh = Caucus::open(&path).await.expect("open");
    caucus_core::store::search::build_later(fresh.store().pool())
        .await
        .expect("mark");
    fresh
        .store()
        .merge_remote(&all, caucus_core::hlc::wall_ms())
        .await
        .expect("merge");
    assert!(
        index_of(&fresh).await.is_empty(),
        "merges leave the index alone while it waits to be built"
    );
    assert!(
        caucus_core::store::search::build_pending(fresh.store().pool())
            .await
            .expect("pending")
    );
    // A kill here: the next open builds it.
    fresh.store().close().await;
    drop(fresh);
    let reopened = Caucus::open(&path).await.expect("open again");
    assert!(
        !caucus_core::store::search::build_pending(reopened.store().pool())
            .await
            .expect("pending"),
        "the open built the index and took the mark away"
    );
    let built = index_of(&reopened).await;
    assert!(built.len() > 20, "the demo is indexed: {}", built.len());
    assert!(!find(&reopened, "Protect the budget").await.is_empty());
    assert_eq!(
        built,
        rebuilt(&reopened).await,
        "the index matches its records"
    );
}
