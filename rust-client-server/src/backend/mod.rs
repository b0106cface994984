//! The database a client server talks to, behind two traits: `Backend` for raw ops and for
//! starting transactions, `TxnSession` for one running transaction. Every method classifies
//! its own failures (see `error::OpClass`). Implementations must be safe to call concurrently
//! without a global lock: each call uses its own handle to the shared connection. A session
//! also reports its timestamps (`TxnStamps`) as far as the backend knows them.

pub mod etcd;
mod orphan_locks;
pub mod tikv;

use async_trait::async_trait;

use crate::error::OpResult;

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
