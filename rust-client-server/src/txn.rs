//! Running transactions: the id -> session map behind Begin/TxnGet/TxnPut/Commit/Rollback, and
//! the micro-op executor behind the one-shot Txn call. The map lock is held only to look up,
//! insert or remove an entry, never across a network call; each session has its own lock.
//! Commit and Rollback remove the entry first, so finished transactions are freed whatever the
//! outcome, and a transaction idle past the timeout is removed and rolled back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::backend::{Backend, TxnOptions, TxnSession, TxnStamps};
use crate::encoding::{append_to_list, decode_list, decode_register, encode_register, utf8_opt};
use crate::error::{OpError, OpResult};
use crate::pb::{MicroOp, MicroOpKind, MicroOpResult};

pub struct Entry {
    session: tokio::sync::Mutex<Box<dyn TxnSession>>,
    last_used: Mutex<Instant>,
}

impl Entry {
    pub async fn session(&self) -> tokio::sync::MutexGuard<'_, Box<dyn TxnSession>> {
        self.session.lock().await
    }
}

pub struct TxnRegistry {
    next_id: AtomicU64,
    txns: Mutex<HashMap<u64, Arc<Entry>>>,
    idle_timeout: Duration,
}

impl TxnRegistry {
    pub fn new(idle_timeout: Duration) -> Self {
        Self { next_id: AtomicU64::new(1), txns: Mutex::new(HashMap::new()), idle_timeout }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Entry>>> {
        // A panic elsewhere cannot leave the map half-updated (single insert/remove calls).
        self.txns.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn insert(&self, session: Box<dyn TxnSession>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry =
            Entry { session: tokio::sync::Mutex::new(session), last_used: Mutex::new(Instant::now()) };
        self.map().insert(id, Arc::new(entry));
        id
    }

    fn unknown(&self, id: u64) -> OpError {
        OpError::not_found(format!(
            "unknown transaction id {id}: never begun, already committed or rolled back, or rolled back after {}s idle",
            self.idle_timeout.as_secs()
        ))
    }

    /// The running transaction `id`, marked as used now.
    pub fn get(&self, id: u64) -> OpResult<Arc<Entry>> {
        let entry = self.map().get(&id).cloned().ok_or_else(|| self.unknown(id))?;
        *entry.last_used.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        Ok(entry)
    }

    /// Removes transaction `id` (to commit or roll it back).
    pub fn remove(&self, id: u64) -> OpResult<Arc<Entry>> {
        self.map().remove(&id).ok_or_else(|| self.unknown(id))
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map().len()
    }

    /// Removes the transactions idle for longer than the timeout (at `now`), for rollback.
    pub fn take_idle(&self, now: Instant) -> Vec<(u64, Arc<Entry>)> {
        let mut map = self.map();
        let idle: Vec<u64> = map
            .iter()
            .filter(|(_, e)| {
                now.duration_since(*e.last_used.lock().unwrap_or_else(|p| p.into_inner())) > self.idle_timeout
            })
            .map(|(id, _)| *id)
            .collect();
        idle.into_iter().filter_map(|id| map.remove(&id).map(|e| (id, e))).collect()
    }

    /// Background task: rolls back idle transactions so their locks and memory are freed.
    pub fn spawn_reaper(self: &Arc<Self>) {
        let registry = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1).min(registry.idle_timeout));
            loop {
                tick.tick().await;
                for (id, entry) in registry.take_idle(Instant::now()) {
                    log::warn!(
                        "rolling back transaction {id}: idle for more than {:?}",
                        registry.idle_timeout
                    );
                    tokio::spawn(async move {
                        if let Err(e) = entry.session().await.rollback().await {
                            log::warn!("rollback of idle transaction {id} failed: {e}");
                        }
                    });
                }
            }
        });
    }
}

fn micro_op_kind(index: usize, op: &MicroOp) -> OpResult<MicroOpKind> {
    match MicroOpKind::try_from(op.kind) {
        Ok(MicroOpKind::Unspecified) | Err(_) => Err(OpError::definite(format!(
            "micro-op {index} (key {:?}) has kind {}; allowed: APPEND, READ_LIST, WRITE, READ",
            op.key, op.kind
        ))),
        Ok(kind) => Ok(kind),
    }
}

/// Runs `ops` in order inside `session` (without committing) and returns their results.
pub async fn run_micro_ops(session: &mut dyn TxnSession, ops: &[MicroOp]) -> OpResult<Vec<MicroOpResult>> {
    let mut results = Vec::with_capacity(ops.len());
    for (index, op) in ops.iter().enumerate() {
        let kind = micro_op_kind(index, op)?;
        if op.key.is_empty() {
            return Err(OpError::definite(format!("micro-op {index} has an empty key")));
        }
        let key = op.key.as_str();
        let mut result =
            MicroOpResult { kind: kind as i32, key: op.key.clone(), value: None, list: Vec::new() };
        match kind {
            MicroOpKind::Append => {
                let current = utf8_opt(key, session.get(key).await?)?;
                session.put(key, &append_to_list(key, current.as_deref(), op.value)?).await?;
                result.value = Some(op.value);
            }
            MicroOpKind::ReadList => {
                if let Some(text) = utf8_opt(key, session.get(key).await?)? {
                    result.list = decode_list(key, &text)?;
                }
            }
            MicroOpKind::Write => {
                session.put(key, &encode_register(op.value)).await?;
                result.value = Some(op.value);
            }
            MicroOpKind::Read => {
                let text = utf8_opt(key, session.get(key).await?)?;
                result.value = text.map(|t| decode_register(key, &t)).transpose()?;
            }
            MicroOpKind::Unspecified => unreachable!("rejected by micro_op_kind"),
        }
        results.push(result);
    }
    Ok(results)
}

/// The one-shot Txn call: begin, run the micro-ops, commit; roll back if an op fails. Also
/// returns the transaction's timestamps when it began, whatever the outcome.
pub async fn run_txn(
    backend: &dyn Backend,
    options: TxnOptions,
    ops: &[MicroOp],
) -> (OpResult<Vec<MicroOpResult>>, Option<TxnStamps>) {
    let mut session = match backend.begin(options).await {
        Ok(session) => session,
        Err(e) => return (Err(e), None),
    };
    let result = match run_micro_ops(session.as_mut(), ops).await {
        Ok(results) => session.commit().await.map(|()| results),
        Err(e) => {
            if let Err(rollback) = session.rollback().await {
                log::warn!("rollback after failed micro-op ({e}) failed: {rollback}");
            }
            Err(e)
        }
    };
    (result, session.stamps())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use async_trait::async_trait;
    use std::collections::BTreeMap;

    /// A session over an in-memory map that logs how it ended into `events`.
    #[derive(Default)]
    struct MemTxn {
        data: BTreeMap<String, Vec<u8>>,
        events: Arc<Mutex<Vec<&'static str>>>,
        commit_error: Option<OpError>,
    }

    #[async_trait]
    impl TxnSession for MemTxn {
        async fn get(&mut self, key: &str) -> OpResult<Option<Vec<u8>>> {
            Ok(self.data.get(key).cloned())
        }
        async fn put(&mut self, key: &str, value: &str) -> OpResult<()> {
            self.data.insert(key.to_owned(), value.as_bytes().to_vec());
            Ok(())
        }
        async fn commit(&mut self) -> OpResult<()> {
            self.events.lock().unwrap().push("commit");
            self.commit_error.clone().map_or(Ok(()), Err)
        }
        async fn rollback(&mut self) -> OpResult<()> {
            self.events.lock().unwrap().push("rollback");
            Ok(())
        }
        fn stamps(&self) -> Option<TxnStamps> {
            let committed =
                self.events.lock().unwrap().last() == Some(&"commit") && self.commit_error.is_none();
            Some(TxnStamps { start: 10, commit: committed.then_some(11), mode: None })
        }
    }

    /// A backend whose transactions are MemTxns over `data`, failing commits with `commit_error`.
    struct MemBackend {
        data: BTreeMap<String, Vec<u8>>,
        events: Arc<Mutex<Vec<&'static str>>>,
        commit_error: Option<OpError>,
    }

    #[async_trait]
    impl Backend for MemBackend {
        fn name(&self) -> &'static str {
            "mem"
        }
        async fn probe(&self) -> OpResult<()> {
            Ok(())
        }
        async fn get(&self, _: &str) -> OpResult<Option<Vec<u8>>> {
            unimplemented!()
        }
        async fn put(&self, _: &str, _: &str) -> OpResult<()> {
            unimplemented!()
        }
        async fn cas(&self, _: &str, _: Option<&str>, _: &str) -> OpResult<crate::backend::CasOutcome> {
            unimplemented!()
        }
        async fn delete(&self, _: &str) -> OpResult<()> {
            unimplemented!()
        }
        async fn begin(&self, _: TxnOptions) -> OpResult<Box<dyn TxnSession>> {
            Ok(Box::new(MemTxn {
                data: self.data.clone(),
                events: Arc::clone(&self.events),
                commit_error: self.commit_error.clone(),
            }))
        }
    }

    const OPTIONS: TxnOptions = TxnOptions {
        mode: crate::backend::TxnMode::Optimistic,
        lock_reads: false,
        async_commit: false,
        one_pc: false,
    };

    #[tokio::test]
    async fn one_shot_txn_commits_on_success_and_rolls_back_on_failure() {
        let mut data = BTreeMap::new();
        data.insert("bad".to_owned(), b"not-a-number".to_vec());
        let backend = MemBackend { data, events: Default::default(), commit_error: None };
        let (ok, stamps) = run_txn(&backend, OPTIONS, &[op(MicroOpKind::Write, "a", 1)]).await;
        assert_eq!(ok.unwrap().len(), 1);
        assert_eq!(stamps, Some(TxnStamps { start: 10, commit: Some(11), mode: None }));
        let (failed, stamps) =
            run_txn(&backend, OPTIONS, &[op(MicroOpKind::Write, "a", 2), op(MicroOpKind::Read, "bad", 0)])
                .await;
        assert_eq!(failed.unwrap_err().kind, ErrorKind::Definite);
        // A transaction that began reports its start even when it failed.
        assert_eq!(stamps, Some(TxnStamps { start: 10, commit: None, mode: None }));
        assert_eq!(*backend.events.lock().unwrap(), vec!["commit", "rollback"]);
    }

    #[tokio::test]
    async fn one_shot_txn_keeps_the_commit_error_kind() {
        let backend = MemBackend {
            data: BTreeMap::new(),
            events: Default::default(),
            commit_error: Some(OpError::indeterminate("commit timed out")),
        };
        let (result, stamps) = run_txn(&backend, OPTIONS, &[op(MicroOpKind::Append, "l", 1)]).await;
        assert_eq!(result.unwrap_err().kind, ErrorKind::Indeterminate);
        assert_eq!(stamps.map(|s| s.commit), Some(None));
        assert_eq!(*backend.events.lock().unwrap(), vec!["commit"]);
    }

    fn op(kind: MicroOpKind, key: &str, value: i64) -> MicroOp {
        MicroOp { kind: kind as i32, key: key.to_owned(), value }
    }

    #[tokio::test]
    async fn list_append_reads_see_earlier_appends() {
        let mut s = MemTxn::default();
        let ops = [
            op(MicroOpKind::ReadList, "x", 0),
            op(MicroOpKind::Append, "x", 1),
            op(MicroOpKind::Append, "x", 2),
            op(MicroOpKind::ReadList, "x", 0),
        ];
        let r = run_micro_ops(&mut s, &ops).await.unwrap();
        assert_eq!(r[0].list, Vec::<i64>::new());
        assert_eq!(r[1].value, Some(1));
        assert_eq!(r[3].list, vec![1, 2]);
        assert_eq!(s.data["x"], b"1,2");
    }

    #[tokio::test]
    async fn register_reads_are_absent_until_written() {
        let mut s = MemTxn::default();
        let ops =
            [op(MicroOpKind::Read, "r", 0), op(MicroOpKind::Write, "r", -7), op(MicroOpKind::Read, "r", 0)];
        let r = run_micro_ops(&mut s, &ops).await.unwrap();
        assert_eq!(r.iter().map(|r| r.value).collect::<Vec<_>>(), vec![None, Some(-7), Some(-7)]);
    }

    #[tokio::test]
    async fn bad_data_and_bad_ops_are_definite_errors() {
        let mut s = MemTxn::default();
        s.data.insert("bin".into(), vec![0xc3, 0x28]);
        s.data.insert("junk".into(), b"1,x".to_vec());
        for (ops, needle) in [
            (vec![op(MicroOpKind::Read, "bin", 0)], "not UTF-8"),
            (vec![op(MicroOpKind::ReadList, "junk", 0)], "not a list"),
            (vec![op(MicroOpKind::Append, "junk", 1)], "not a list"),
            (vec![op(MicroOpKind::Read, "junk", 0)], "not a register"),
            (vec![op(MicroOpKind::Unspecified, "a", 0)], "allowed: APPEND"),
            (vec![MicroOp { kind: 99, key: "a".into(), value: 0 }], "kind 99"),
            (vec![op(MicroOpKind::Write, "", 1)], "empty key"),
        ] {
            let e = run_micro_ops(&mut s, &ops).await.unwrap_err();
            assert_eq!(e.kind, ErrorKind::Definite);
            assert!(e.message.contains(needle), "{} should contain {needle}", e.message);
        }
    }

    #[test]
    fn registry_frees_finished_and_rejects_unknown_ids() {
        let reg = TxnRegistry::new(Duration::from_secs(30));
        let a = reg.insert(Box::new(MemTxn::default()));
        let b = reg.insert(Box::new(MemTxn::default()));
        assert_ne!(a, b);
        assert!(reg.get(a).is_ok());
        assert!(reg.remove(a).is_ok());
        assert_eq!(reg.len(), 1);
        let e = reg.get(a).err().expect("removed id must be unknown");
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.message.contains(&format!("id {a}")), "{}", e.message);
        assert_eq!(reg.remove(12345).err().map(|e| e.kind), Some(ErrorKind::NotFound));
    }

    #[test]
    fn registry_takes_only_idle_transactions() {
        let reg = TxnRegistry::new(Duration::from_secs(30));
        let a = reg.insert(Box::new(MemTxn::default()));
        assert!(reg.take_idle(Instant::now()).is_empty());
        let taken = reg.take_idle(Instant::now() + Duration::from_secs(31));
        assert_eq!(taken.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![a]);
        assert_eq!(reg.len(), 0);
    }
}
