//! TiKV backend (tikv-client 0.4). Raw ops go through one RawClient in atomic mode
//! (`with_atomic_for_cas`), so puts, deletes and CAS share TiKV's latches and CAS is
//! linearizable; mixing atomic and non-atomic writes on a key would break that, so there is no
//! non-atomic client. Transactions use the transactional client (optimistic or pessimistic,
//! optionally trying async commit and/or 1PC) and report their start_ts, commit_ts and the
//! commit protocol that tikv-client's answer proves was used (see `commit_outcome`).
//! Raw and transactional keys must not overlap (TiKV encodes them differently). A session that
//! meets a lock whose primary was never written rolls it back itself (`orphan_locks`: tikv-client
//! 0.4.0 never does).
//! Two test-only calibrations break this on purpose (`Calibration`, never in a normal run):
//! `CasGetThenPut` makes raw cas a raw get, a compare here and a raw put (two requests, nothing
//! holding the key between them); `StaleReads` makes a transaction read the keys it has not
//! written from a snapshot `STALE_READ_AGE` older than its start_ts, while its writes, commit
//! and reported timestamps stay the transaction's own.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use async_trait::async_trait;
use futures::FutureExt;
use tikv_client::{
    CheckLevel, Error, ProtoKeyError, RawClient, Snapshot, Timestamp, TimestampExt, Transaction,
    TransactionClient, TransactionOptions,
};

use super::orphan_locks;
use super::{
    Backend, BackendKind, Calibration, CasOutcome, CommitMode, TxnMode, TxnOptions, TxnSession, TxnStamps,
};
use crate::error::{never_sent, OpClass, OpError, OpResult};

/// A key the readiness probe reads (it never needs to exist).
const PROBE_KEY: &str = "jepsen-tikv/probe";

/// How far behind its transaction's start_ts a `Calibration::StaleReads` snapshot reads: far
/// longer than a transaction takes here, so it misses what committed just before it began.
const STALE_READ_AGE: Duration = Duration::from_secs(2);

pub struct TikvBackend {
    raw: RawClient,
    txn: TransactionClient,
    /// A test-only weakening (one of the tikv `Calibration`s); None in every normal run.
    calibration: Option<Calibration>,
}

impl TikvBackend {
    /// Connects to PD (`endpoints` are "host:port" PD addresses); `calibration` must be a tikv one.
    pub async fn connect(endpoints: &[String], calibration: Option<Calibration>) -> Result<Self, String> {
        let calibration = Calibration::check(BackendKind::Tikv, calibration)?;
        let raw = RawClient::new(endpoints.to_vec())
            .await
            .map_err(|e| format!("connecting the raw client to PD {endpoints:?}: {e}"))?
            .with_atomic_for_cas();
        let txn = TransactionClient::new(endpoints.to_vec())
            .await
            .map_err(|e| format!("connecting the transaction client to PD {endpoints:?}: {e}"))?;
        Ok(Self { raw, txn, calibration })
    }

    /// `Calibration::CasGetThenPut`: a cas as two raw requests with nothing holding the key in
    /// between, so a write (or another cas) that lands between them is overwritten.
    async fn cas_get_then_put(&self, key: &str, expected: Option<&str>, new: &str) -> OpResult<CasOutcome> {
        let previous = self.raw.get(key.to_owned()).await.map_err(fail(
            OpClass::Read,
            "raw get (cas-get-then-put)",
            key,
        ))?;
        if !cas_matches(previous.as_deref(), expected) {
            return Ok(CasOutcome { succeeded: false, previous });
        }
        self.raw.put(key.to_owned(), new.to_owned()).await.map_err(fail(
            OpClass::Write,
            "raw put (cas-get-then-put)",
            key,
        ))?;
        Ok(CasOutcome { succeeded: true, previous })
    }
}

/// Whether the value read (None: no such key) is what a cas expects (None: must not exist).
fn cas_matches(previous: Option<&[u8]>, expected: Option<&str>) -> bool {
    previous == expected.map(str::as_bytes)
}

/// The timestamp `age` before `start`: TSO timestamps are milliseconds (the physical part) and a
/// counter within one (the logical part, kept). Never below physical time 0.
fn stale_timestamp(start: &Timestamp, age: Duration) -> Timestamp {
    let back = i64::try_from(age.as_millis()).unwrap_or(i64::MAX);
    Timestamp { physical: start.physical.saturating_sub(back).max(0), ..start.clone() }
}

/// True when `e` proves a write or commit was rejected before it could take effect: a
/// prewrite/lock conflict (write conflict, key already exists, deadlock), a local misuse, or a
/// request never sent because its connection to PD or a store could not be made (tikv-client
/// gives up on such an error; region errors before it were refusals too). Anything else
/// (timeouts, lost connections, "undetermined") may hide a write that happened.
fn is_refusal(e: &Error) -> bool {
    match e {
        // tikv-client's own verdict wins, whatever it wraps.
        Error::UndeterminedError(_) => false,
        Error::Grpc(t) => never_sent(t),
        Error::GrpcAPI(s) => never_sent(s),
        Error::KeyError(k) => is_refusing_key_error(k),
        Error::MultipleKeyErrors(es) | Error::ExtractedErrors(es) => {
            !es.is_empty() && es.iter().all(is_refusal)
        }
        Error::OperationAfterCommitError
        | Error::InvalidTransactionType
        | Error::UnsupportedMode
        | Error::NoPrimaryKey
        | Error::Unimplemented => true,
        _ => false,
    }
}

/// kvrpcpb `WriteConflict.Reason.PessimisticRetry`: a pessimistic lock request woke up after
/// waiting for another lock, or met a version newer than its for_update_ts ("let TiDB retry").
const PESSIMISTIC_RETRY: i32 = 2;

/// How many times a pessimistic lock refused with `PESSIMISTIC_RETRY` is taken again.
const PESSIMISTIC_LOCK_RETRIES: usize = 10;

/// True when `e` is a pessimistic lock refused with `PESSIMISTIC_RETRY`. TiDB (client-go) then
/// takes the lock again at a fresh for_update_ts; tikv-client 0.4 returns the error, which on
/// contended keys failed most pessimistic transactions on live TiKV. Nothing was locked, so
/// asking again is safe (tikv-client takes a new for_update_ts per request).
fn is_pessimistic_retry(e: &Error) -> bool {
    match e {
        Error::PessimisticLockError { inner, .. } => is_pessimistic_retry(inner),
        Error::KeyError(k) => k.conflict.as_ref().is_some_and(|c| c.reason == PESSIMISTIC_RETRY),
        Error::MultipleKeyErrors(es) | Error::ExtractedErrors(es) => {
            !es.is_empty() && es.iter().all(is_pessimistic_retry)
        }
        _ => false,
    }
}

/// Awaits `$call` (a tikv-client future), asking again while TiKV refuses it with
/// `PESSIMISTIC_RETRY`, at most `PESSIMISTIC_LOCK_RETRIES` times. A macro because each attempt
/// borrows the transaction mutably anew.
macro_rules! retry_pessimistic {
    ($call:expr) => {{
        let mut retries = 0;
        loop {
            match $call.await {
                Err(e) if retries < PESSIMISTIC_LOCK_RETRIES && is_pessimistic_retry(&e) => retries += 1,
                r => break r,
            }
        }
    }};
}

fn is_refusing_key_error(k: &ProtoKeyError) -> bool {
    k.conflict.is_some() || k.already_exist.is_some() || k.deadlock.is_some()
}

fn fail<'a>(class: OpClass, what: &'a str, key: &'a str) -> impl FnOnce(Error) -> OpError + 'a {
    move |e| OpError::classify(class, is_refusal(&e), format!("tikv {what} {key:?}: {e}"))
}

/// tikv-client's options for a transaction. A session dropped without commit/rollback
/// (cancelled call, idle reaper) must only warn; its locks expire with their TTL.
fn transaction_options(options: TxnOptions) -> TransactionOptions {
    let mut o = match options.mode {
        TxnMode::Optimistic => TransactionOptions::new_optimistic(),
        TxnMode::Pessimistic => TransactionOptions::new_pessimistic(),
    };
    if options.async_commit {
        o = o.use_async_commit();
    }
    if options.one_pc {
        o = o.try_one_pc();
    }
    o.drop_check(CheckLevel::Warn)
}

/// What a commit that tikv-client 0.4 answered with `Ok(commit_ts)` proves: the commit
/// timestamp and, when it can be told, the protocol used. tikv-client does not report the
/// protocol, so it is derived from its Committer (transaction.rs):
/// - `None`: there was nothing to commit (no key written or locked): no commit_ts, no mode.
/// - neither option: 2PC, commit_ts from PD.
/// - async commit only: commit_ts is the largest min_commit_ts TiKV returned from prewrite. TiKV
///   falls back to 2PC in a region by returning 0; the client only keeps the maximum, so a
///   fallback is visible only when every region fell back: commit_ts 0, which the client then
///   uses to commit in the background (its "FIXME: min_commit_ts == 0 => fallback to normal
///   2PC") and TiKV refuses (commit_ts <= start_ts). The outcome is then unknown: an error.
/// - 1PC: the client asks for it only of a prewrite that carries every key in one request; a
///   region that declines answers commit_ts 0, which the client reports as `OnePcFailure`. With
///   one key there is one request, so success is 1PC. With several keys, whether they sat in one
///   region (1PC) or not (the client falls back to async commit if asked, else 2PC) is not
///   reported: the mode is unknown.
fn commit_outcome(
    options: TxnOptions,
    mutations: usize,
    commit_ts: Option<u64>,
) -> OpResult<(Option<u64>, Option<CommitMode>)> {
    let Some(ts) = commit_ts else { return Ok((None, None)) };
    if ts == 0 {
        return Err(OpError::indeterminate(
            "tikv commit: async commit fell back to 2PC in every region, and tikv-client 0.4 then \
             commits at commit_ts 0, which TiKV refuses: the outcome is unknown",
        ));
    }
    let mode = match (options.one_pc, options.async_commit) {
        (true, _) if mutations == 1 => Some(CommitMode::OnePc),
        (true, _) => None,
        (false, true) => Some(CommitMode::AsyncCommit),
        (false, false) => Some(CommitMode::TwoPc),
    };
    Ok((Some(ts), mode))
}

/// A panic inside tikv-client's commit (its commit path asserts on and unwraps TiKV's answers)
/// as an indeterminate error naming it, rather than a reset gRPC stream: prewrites may have been
/// sent.
fn panicked(payload: Box<dyn std::any::Any + Send>) -> OpError {
    let what = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    OpError::indeterminate(format!("tikv commit: tikv-client panicked: {what}"))
}

#[async_trait]
impl Backend for TikvBackend {
    fn name(&self) -> &'static str {
        "tikv"
    }

    async fn probe(&self) -> OpResult<()> {
        self.raw.get(PROBE_KEY.to_owned()).await.map(|_| ()).map_err(fail(OpClass::Read, "get", PROBE_KEY))
    }

    async fn get(&self, key: &str) -> OpResult<Option<Vec<u8>>> {
        self.raw.get(key.to_owned()).await.map_err(fail(OpClass::Read, "raw get", key))
    }

    async fn put(&self, key: &str, value: &str) -> OpResult<()> {
        self.raw.put(key.to_owned(), value.to_owned()).await.map_err(fail(OpClass::Write, "raw put", key))
    }

    async fn cas(&self, key: &str, expected: Option<&str>, new: &str) -> OpResult<CasOutcome> {
        if self.calibration == Some(Calibration::CasGetThenPut) {
            return self.cas_get_then_put(key, expected, new).await;
        }
        let expected = expected.map(|v| v.as_bytes().to_vec());
        let (previous, succeeded) = self
            .raw
            .compare_and_swap(key.to_owned(), expected, new.to_owned())
            .await
            .map_err(fail(OpClass::Write, "raw cas", key))?;
        Ok(CasOutcome { succeeded, previous })
    }

    async fn delete(&self, key: &str) -> OpResult<()> {
        self.raw.delete(key.to_owned()).await.map_err(fail(OpClass::Write, "raw delete", key))
    }

    async fn begin(&self, options: TxnOptions) -> OpResult<Box<dyn TxnSession>> {
        let txn = self.txn.begin_with_options(transaction_options(options)).await.map_err(fail(
            OpClass::Read,
            "begin",
            "",
        ))?;
        // Read-only: it takes no locks and needs no commit or rollback.
        let stale = (self.calibration == Some(Calibration::StaleReads)).then(|| {
            let at = stale_timestamp(&txn.start_timestamp(), STALE_READ_AGE);
            self.txn.snapshot(at, TransactionOptions::new_optimistic().read_only())
        });
        Ok(Box::new(TikvTxn {
            txn,
            client: self.txn.clone(),
            stale,
            options,
            written: HashMap::new(),
            mutated: HashSet::new(),
            commit: None,
            mode: None,
        }))
    }
}

struct TikvTxn {
    /// Its writes and commit, and the timestamps it reports (also under `StaleReads`: the
    /// calibration claims to read at start_ts, as a correct client would).
    txn: Transaction,
    /// For cleaning up orphaned locks this transaction meets (`orphan_locks`).
    client: TransactionClient,
    /// `Calibration::StaleReads` only: where the keys it has not written are read from.
    stale: Option<Snapshot>,
    options: TxnOptions,
    /// Own writes: a pessimistic get_for_update reads the latest committed value, not the
    /// transaction's buffer, so read-your-writes is kept here.
    written: HashMap<String, String>,
    /// Keys commit will prewrite: written, or read with a lock (tikv-client's buffer mutations).
    mutated: HashSet<String>,
    /// Set by commit (see `commit_outcome`).
    commit: Option<u64>,
    mode: Option<CommitMode>,
}

impl TikvTxn {
    /// A read at start_ts, or with a lock when the options ask for locking reads (taken again
    /// when TiKV asks for a retry, see `is_pessimistic_retry`).
    async fn read(&mut self, key: &str) -> Result<Option<Vec<u8>>, Error> {
        if !self.options.lock_reads {
            return self.txn.get(key.to_owned()).await;
        }
        retry_pessimistic!(self.txn.get_for_update(key.to_owned()))
    }

    /// A buffered write (optimistic) or a locked one (pessimistic, taken again when TiKV asks
    /// for a retry).
    async fn write(&mut self, key: &str, value: &str) -> Result<(), Error> {
        retry_pessimistic!(self.txn.put(key.to_owned(), value.to_owned()))
    }

    /// True when `e` is an abandoned lock on `keys` whose primary was never written and it has
    /// now been rolled back (see `orphan_locks`), so the failed call may be retried once.
    async fn cleared_orphan(&self, e: &Error, keys: &[&str]) -> bool {
        match orphan_locks::orphan_start_ts(e) {
            Some(ts) => orphan_locks::clear(&self.client, keys, ts).await,
            None => false,
        }
    }
}

#[async_trait]
impl TxnSession for TikvTxn {
    async fn get(&mut self, key: &str) -> OpResult<Option<Vec<u8>>> {
        if let Some(v) = self.written.get(key) {
            return Ok(Some(v.as_bytes().to_vec()));
        }
        if let Some(snapshot) = &mut self.stale {
            // Neither read at start_ts nor locked, whatever the mode asks.
            return snapshot.get(key.to_owned()).await.map_err(fail(OpClass::Read, "stale txn get", key));
        }
        let value = match self.read(key).await {
            Err(e) if self.cleared_orphan(&e, &[key]).await => self.read(key).await,
            r => r,
        }
        .map_err(fail(OpClass::Read, "txn get", key))?;
        if self.options.lock_reads {
            self.mutated.insert(key.to_owned());
        }
        Ok(value)
    }

    async fn put(&mut self, key: &str, value: &str) -> OpResult<()> {
        // Buffered (optimistic) or locked (pessimistic): nothing is committed yet.
        match self.write(key, value).await {
            Err(e) if self.cleared_orphan(&e, &[key]).await => self.write(key, value).await,
            r => r,
        }
        .map_err(fail(OpClass::Read, "txn put", key))?;
        self.written.insert(key.to_owned(), value.to_owned());
        self.mutated.insert(key.to_owned());
        Ok(())
    }

    async fn commit(&mut self) -> OpResult<()> {
        let answer = AssertUnwindSafe(self.txn.commit()).catch_unwind().await.map_err(panicked)?;
        if let Err(e) = &answer {
            // Not retried (the commit's outcome is already decided), but the next ones can pass.
            let keys: Vec<&str> = self.mutated.iter().map(String::as_str).collect();
            self.cleared_orphan(e, &keys).await;
        }
        let commit_ts = answer.map_err(fail(OpClass::Write, "commit", ""))?.map(|ts| ts.version());
        match commit_outcome(self.options, self.mutated.len(), commit_ts) {
            Ok((commit, mode)) => {
                (self.commit, self.mode) = (commit, mode);
                Ok(())
            }
            Err(e) => {
                // Its one error: every region fell back from async commit to 2PC.
                self.mode = Some(CommitMode::TwoPc);
                Err(e)
            }
        }
    }

    async fn rollback(&mut self) -> OpResult<()> {
        self.txn.rollback().await.map_err(fail(OpClass::Read, "rollback", ""))
    }

    fn stamps(&self) -> Option<TxnStamps> {
        Some(TxnStamps { start: self.txn.start_timestamp().version(), commit: self.commit, mode: self.mode })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn key_error(f: impl FnOnce(&mut ProtoKeyError)) -> Error {
        let mut k = ProtoKeyError::default();
        f(&mut k);
        Error::KeyError(Box::new(k))
    }

    fn commit_kind(e: Error) -> ErrorKind {
        fail(OpClass::Write, "commit", "")(e).kind
    }

    #[test]
    fn prewrite_conflicts_make_a_failed_commit_definite() {
        let conflict = || key_error(|k| k.conflict = Some(Default::default()));
        assert_eq!(commit_kind(conflict()), ErrorKind::Definite);
        assert_eq!(commit_kind(key_error(|k| k.deadlock = Some(Default::default()))), ErrorKind::Definite);
        assert_eq!(commit_kind(Error::MultipleKeyErrors(vec![conflict(), conflict()])), ErrorKind::Definite);
        assert_eq!(commit_kind(Error::ExtractedErrors(vec![conflict()])), ErrorKind::Definite);
    }

    #[test]
    fn only_pessimistic_lock_conflicts_that_tikv_asks_to_retry_are_retried() {
        let conflict =
            |reason| key_error(|k| k.conflict.get_or_insert_with(Default::default).reason = reason);
        let locked = |e| Error::PessimisticLockError { inner: Box::new(e), success_keys: vec![] };
        assert!(is_pessimistic_retry(&locked(Error::MultipleKeyErrors(vec![conflict(PESSIMISTIC_RETRY)]))));
        assert!(is_pessimistic_retry(&conflict(PESSIMISTIC_RETRY)));
        // An optimistic conflict (reason 1) or a deadlock is the transaction's end.
        assert!(!is_pessimistic_retry(&locked(Error::MultipleKeyErrors(vec![conflict(1)]))));
        let deadlock = key_error(|k| k.deadlock = Some(Default::default()));
        assert!(!is_pessimistic_retry(&locked(Error::MultipleKeyErrors(vec![deadlock]))));
        assert!(!is_pessimistic_retry(&Error::MultipleKeyErrors(vec![])));
        assert!(!is_pessimistic_retry(&Error::StringError("x".into())));
    }

    #[test]
    fn unknown_commit_outcomes_are_indeterminate() {
        let lost = || Error::GrpcAPI(tonic::Status::deadline_exceeded("timeout"));
        assert_eq!(commit_kind(Error::UndeterminedError(Box::new(lost()))), ErrorKind::Indeterminate);
        assert_eq!(commit_kind(lost()), ErrorKind::Indeterminate);
        assert_eq!(
            commit_kind(Error::GrpcAPI(tonic::Status::unavailable("reset"))),
            ErrorKind::Indeterminate
        );
        assert_eq!(commit_kind(key_error(|k| k.abort = "TxnLockNotFound".into())), ErrorKind::Indeterminate);
        assert_eq!(commit_kind(Error::StringError("boom".into())), ErrorKind::Indeterminate);
        // One conflict among other errors does not prove that nothing was committed.
        let mixed = Error::MultipleKeyErrors(vec![
            key_error(|k| k.conflict = Some(Default::default())),
            Error::StringError("region error".into()),
        ]);
        assert_eq!(commit_kind(mixed), ErrorKind::Indeterminate);
        assert_eq!(commit_kind(Error::MultipleKeyErrors(vec![])), ErrorKind::Indeterminate);
    }

    fn options(async_commit: bool, one_pc: bool) -> TxnOptions {
        TxnOptions { mode: TxnMode::Optimistic, lock_reads: false, async_commit, one_pc }
    }

    #[test]
    fn commit_options_reach_tikv_client() {
        let warn = |o: TransactionOptions| o.drop_check(CheckLevel::Warn);
        assert_eq!(transaction_options(options(false, false)), warn(TransactionOptions::new_optimistic()));
        assert_eq!(
            transaction_options(options(true, false)),
            warn(TransactionOptions::new_optimistic().use_async_commit())
        );
        assert_eq!(
            transaction_options(options(false, true)),
            warn(TransactionOptions::new_optimistic().try_one_pc())
        );
        let both = TxnOptions { mode: TxnMode::Pessimistic, ..options(true, true) };
        assert_eq!(
            transaction_options(both),
            warn(TransactionOptions::new_pessimistic().use_async_commit().try_one_pc())
        );
        assert_ne!(transaction_options(options(true, false)), transaction_options(options(false, false)));
    }

    #[test]
    fn the_recorded_mode_is_what_the_commit_proves() {
        use CommitMode::*;
        let outcome = |o, n, ts| commit_outcome(o, n, ts).unwrap();
        assert_eq!(outcome(options(false, false), 2, Some(7)), (Some(7), Some(TwoPc)));
        assert_eq!(outcome(options(true, false), 2, Some(7)), (Some(7), Some(AsyncCommit)));
        assert_eq!(outcome(options(false, true), 1, Some(7)), (Some(7), Some(OnePc)));
        assert_eq!(outcome(options(true, true), 1, Some(7)), (Some(7), Some(OnePc)));
        // Several keys: one region (1PC) or a silent fallback; tikv-client does not say which.
        assert_eq!(outcome(options(false, true), 3, Some(7)), (Some(7), None));
        assert_eq!(outcome(options(true, true), 3, Some(7)), (Some(7), None));
        // Nothing to commit: no commit_ts and no mode, whatever was asked.
        assert_eq!(outcome(options(true, true), 0, None), (None, None));
    }

    #[test]
    fn an_async_commit_that_fell_back_everywhere_is_indeterminate() {
        let e = commit_outcome(options(true, false), 2, Some(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Indeterminate);
        assert!(e.message.contains("fell back to 2PC"), "{}", e.message);
    }

    #[test]
    fn a_panic_in_the_client_is_an_indeterminate_error_with_its_message() {
        let e = panicked(Box::new(String::from("assertion `left == right` failed")));
        assert_eq!(e.kind, ErrorKind::Indeterminate);
        assert!(e.message.contains("left == right"), "{}", e.message);
        assert!(panicked(Box::new("static")).message.contains("static"));
        assert!(panicked(Box::new(42)).message.contains("no message"));
    }

    #[tokio::test]
    async fn writes_whose_connection_could_not_be_made_are_definite_unless_tikv_client_says_undetermined() {
        let refused = || async { crate::error::tests::refused_connection().await };
        // As tikv-client reports a store or PD it could not connect to ...
        assert_eq!(commit_kind(Error::Grpc(refused().await)), ErrorKind::Definite);
        // ... and a call on a channel whose reconnect failed.
        let status = tonic::Status::from_error(Box::new(refused().await));
        assert_eq!(commit_kind(Error::GrpcAPI(status)), ErrorKind::Definite);
        assert_eq!(
            commit_kind(Error::MultipleKeyErrors(vec![Error::Grpc(refused().await)])),
            ErrorKind::Definite
        );
        // tikv-client marks a failed commit of the primary undetermined: it stays so.
        let undetermined = Error::UndeterminedError(Box::new(Error::Grpc(refused().await)));
        assert_eq!(commit_kind(undetermined), ErrorKind::Indeterminate);
    }

    #[test]
    fn a_get_then_put_cas_compares_what_it_read() {
        assert!(cas_matches(Some(b"3"), Some("3")));
        assert!(!cas_matches(Some(b"3"), Some("4")));
        assert!(cas_matches(None, None), "absent, as expected");
        assert!(!cas_matches(Some(b"3"), None), "expected absent, but it exists");
        assert!(!cas_matches(None, Some("3")));
    }

    #[test]
    fn stale_reads_read_two_seconds_of_physical_time_before_the_start() {
        let start = Timestamp { physical: 1_730_000_000_123, logical: 77, ..Default::default() };
        let stale = stale_timestamp(&start, STALE_READ_AGE);
        assert_eq!(stale.physical, 1_730_000_000_123 - 2000);
        assert_eq!(stale.logical, 77);
        assert_eq!(start.version() - stale.version(), 2000 << 18, "2000 ms below, in version units");
        assert_eq!(stale_timestamp(&start, Duration::ZERO), start);
        // Sub-millisecond ages do not move the physical part.
        assert_eq!(stale_timestamp(&start, Duration::from_micros(999)).physical, start.physical);
        let early = Timestamp { physical: 500, logical: 3, ..Default::default() };
        assert_eq!(stale_timestamp(&early, STALE_READ_AGE), Timestamp { physical: 0, ..early.clone() });
        assert_eq!(stale_timestamp(&early, Duration::MAX).physical, 0);
    }

    #[tokio::test]
    async fn connect_refuses_another_backends_calibration_before_dialling() {
        // Port 1 on loopback refuses: were it dialled, the error would be a connect error.
        let e = TikvBackend::connect(&["127.0.0.1:1".to_owned()], Some(Calibration::CommitUnvalidated))
            .await
            .err()
            .expect("an etcd calibration must be refused");
        assert!(e.contains("commit-unvalidated is not one of the tikv backend's"), "{e}");
    }

    #[test]
    fn failed_reads_are_definite_and_name_the_key() {
        let e = fail(OpClass::Read, "raw get", "k9")(Error::GrpcAPI(tonic::Status::deadline_exceeded("t")));
        assert_eq!(e.kind, ErrorKind::Definite);
        assert!(e.message.contains("raw get \"k9\""), "{}", e.message);
    }
}
