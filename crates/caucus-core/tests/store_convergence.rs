//! Replicas on real SQLite files receive the same changes in shuffled, duplicated order and
//! must end identical to each other and to the reference model. Slower than the model laws, so
//! fewer cases by default (`CAUCUS_STORE_PROPTEST_CASES` raises them).

mod common;

use caucus_core::change::{Change, Replica};
use caucus_core::store::Store;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

type Dump = Vec<(String, i64, String, String)>;

async fn dump(store: &Store) -> Dump {
    sqlx::query_as("SELECT id, cl, name, country FROM organization ORDER BY id")
        .fetch_all(store.pool())
        .await
        .expect("read organizations")
}

/// The search index (and which records the titles' index holds) as the merges left it, and as
/// the records make it, in rowid order.
async fn index_and_rebuilt(
    store: &Store,
) -> (Vec<(i64, String, String)>, Vec<(i64, String, String)>) {
    let read = || async {
        sqlx::query_as::<_, (i64, String, String)>(
            "SELECT rowid, id, title || '|' || coalesce(body, '') FROM search_index
             UNION ALL SELECT rowid, 'a title entry', '' FROM search_title ORDER BY 1, 2",
        )
        .fetch_all(store.pool())
        .await
        .expect("read the index")
    };
    let kept = read().await;
    let mut conn = store.pool().acquire().await.expect("conn");
    caucus_core::store::search::rebuild(&mut conn)
        .await
        .expect("rebuild");
    drop(conn);
    (kept, read().await)
}

fn model_dump(r: &Replica) -> Dump {
    r.state()
        .into_iter()
        .map(|((_, id), (cl, fields))| {
            let text = |c: &str, default: &str| {
                fields
                    .get(c)
                    .and_then(|v| v.as_str())
                    .unwrap_or(default)
                    .to_string()
            };
            (
                id.to_string(),
                cl as i64,
                text("name", ""),
                text("country", "ZZ"),
            )
        })
        .collect()
}

#[test]
fn sqlite_replicas_converge_to_the_model() {
    let cases = std::env::var("CAUCUS_STORE_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let strategy = (prop::collection::vec(draft(), 1..30), 3usize..=5).prop_flat_map(|(d, n)| {
        let len = d.len();
        (Just(d), prop::collection::vec(delivery(len), n))
    });
    let case = std::sync::atomic::AtomicU32::new(0);
    runner
        .run(&strategy, |(d, orders)| {
            let case = case.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let all: Vec<Change> = changes(&d);
            let mut model = Replica::default();
            for c in &all {
                model.apply(c);
            }
            let expected = model_dump(&model);
            rt.block_on(async {
                let mut dumps = Vec::new();
                for (i, order) in orders.iter().enumerate() {
                    let path = dir.path().join(format!("case{case}-replica{i}.db"));
                    let store = Store::open(&path).await.expect("open replica");
                    // Deliver in batches of three, as a sync would.
                    let batch: Vec<Change> = order.iter().map(|&k| all[k].clone()).collect();
                    for chunk in batch.chunks(3) {
                        store
                            .merge_remote(chunk, u64::MAX / 2)
                            .await
                            .expect("merge");
                    }
                    dumps.push(dump(&store).await);
                    let (kept, rebuilt) = index_and_rebuilt(&store).await;
                    store.close().await;
                    prop_assert_eq!(
                        kept,
                        rebuilt,
                        "search, batch by batch, differs from its records"
                    );
                }
                for d in &dumps {
                    prop_assert_eq!(
                        d,
                        &expected,
                        "a SQLite replica differs from the reference model"
                    );
                }
                Ok(())
            })
        })
        .expect("SQLite replicas converge");
}
