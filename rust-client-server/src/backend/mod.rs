//! The database a client server talks to, behind two traits: `Backend` for raw ops and for
//! starting transactions, `TxnSession` for one running transaction. Every method classifies
//! its own failures (see `error::OpClass`). Implementations must be safe to call concurrently
//! without a global lock: each call uses its own handle to the shared connection. A session
//! also reports its timestamps (`TxnStamps`) as far as the backend knows them. `Calibration`
//! names the test-only ways each backend can be told to break its promise.

pub mod etcd;
mod orphan_locks;
pub mod tikv;

use async_trait::async_trait;

use crate::error::OpResult;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Tikv,
    Etcd,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Tikv => "tikv",
            BackendKind::Etcd => "etcd",
        }
    }
}

/// Test-only ways to break a backend's promise on purpose (`--calibration`), so that a test can
/// show the checkers catch the resulting anomalies (workloads/calibrations.test.ts). Each belongs
/// to one backend. Never used by a normal run: no jepsen-tikv option passes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calibration {
    /// etcd: commit puts the buffered writes without checking that the keys read are unchanged,
    /// so concurrent read-modify-writes lose updates.
    CommitUnvalidated,
    /// tikv: raw cas is a raw get, a compare here and a raw put: nothing holds the key between
    /// the two requests, so two cas from the same value can both succeed (not linearizable).
    CasGetThenPut,
    /// tikv: a transaction reads the keys it has not written from a snapshot `STALE_READ_AGE`
    /// older than its start; its writes go through the transaction as usual, so a read-modify-
    /// write overwrites what committed in between (stale reads, lost updates).
    StaleReads,
}

impl Calibration {
    pub const ALL: [Calibration; 3] =
        [Calibration::CommitUnvalidated, Calibration::CasGetThenPut, Calibration::StaleReads];

    /// Its `--calibration` value.
    pub fn name(self) -> &'static str {
        match self {
            Calibration::CommitUnvalidated => "commit-unvalidated",
            Calibration::CasGetThenPut => "cas-get-then-put",
            Calibration::StaleReads => "stale-reads",
        }
    }

    /// The backend whose client it weakens.
    pub fn backend(self) -> BackendKind {
        match self {
            Calibration::CommitUnvalidated => BackendKind::Etcd,
            Calibration::CasGetThenPut | Calibration::StaleReads => BackendKind::Tikv,
        }
    }

    /// The calibrations of `backend`, in `ALL`'s order.
    pub fn of(backend: BackendKind) -> impl Iterator<Item = Calibration> {
        Self::ALL.into_iter().filter(move |c| c.backend() == backend)
    }

    /// `calibration` if it is one of `backend`'s. args.rs refuses the others, so an error here
    /// is a caller's bug, reported rather than ignored.
    pub fn check(
        backend: BackendKind,
        calibration: Option<Calibration>,
    ) -> Result<Option<Calibration>, String> {
        match calibration {
            Some(c) if c.backend() != backend => {
                Err(format!("calibration {} is not one of the {} backend's", c.name(), backend.name()))
            }
            _ => Ok(calibration),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnMode {
    Optimistic,
    Pessimistic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TxnOptions {
    pub mode: TxnMode,
    /// Lock (or conflict-check) every key read; see proto `TxnOptions.lock_reads`.
    pub lock_reads: bool,
    /// TiKV: try async commit / one-phase commit (refused by backends without them).
    pub async_commit: bool,
    pub one_pc: bool,
}

/// The commit protocol a transaction actually used (proto `CommitMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitMode {
    TwoPc,
    AsyncCommit,
    OnePc,
}

/// A transaction's timestamps (proto `TxnTimestamps`): TiKV TSO timestamps or etcd revisions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxnStamps {
    pub start: u64,
    /// None when it did not commit (or had nothing to commit).
    pub commit: Option<u64>,
    /// None when not known.
    pub mode: Option<CommitMode>,
}

/// Outcome of a compare-and-set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CasOutcome {
    pub succeeded: bool,
    pub previous: Option<Vec<u8>>,
}

#[async_trait]
pub trait Backend: Send + Sync {
    fn name(&self) -> &'static str;
    /// A cheap read that proves the backend serves requests.
    async fn probe(&self) -> OpResult<()>;
    async fn get(&self, key: &str) -> OpResult<Option<Vec<u8>>>;
    async fn put(&self, key: &str, value: &str) -> OpResult<()>;
    /// Sets `key` to `new` if its value equals `expected` (`None`: the key must not exist).
    async fn cas(&self, key: &str, expected: Option<&str>, new: &str) -> OpResult<CasOutcome>;
    async fn delete(&self, key: &str) -> OpResult<()>;
    async fn begin(&self, options: TxnOptions) -> OpResult<Box<dyn TxnSession>>;
}

/// One transaction. Reads see the transaction's own earlier writes. After `commit` or
/// `rollback` (whatever their result) the session is not used again.
#[async_trait]
pub trait TxnSession: Send {
    async fn get(&mut self, key: &str) -> OpResult<Option<Vec<u8>>>;
    async fn put(&mut self, key: &str, value: &str) -> OpResult<()>;
    async fn commit(&mut self) -> OpResult<()>;
    async fn rollback(&mut self) -> OpResult<()>;
    /// The timestamps known so far (after `commit`, its outcome); None when there are none yet.
    fn stamps(&self) -> Option<TxnStamps>;
}
