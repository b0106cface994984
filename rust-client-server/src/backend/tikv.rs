//! TiKV backend (tikv-client 0.4). Raw ops go through one RawClient in atomic mode
//! (`with_atomic_for_cas`), so puts, deletes and CAS share TiKV's latches and CAS is
//! linearizable; mixing atomic and non-atomic writes on a key would break that, so there is no
//! non-atomic client. Transactions use the transactional client (optimistic or pessimistic).
//! Raw and transactional keys must not overlap (TiKV encodes them differently).

use std::collections::HashMap;

use async_trait::async_trait;
use tikv_client::{
    CheckLevel, Error, ProtoKeyError, RawClient, Transaction, TransactionClient, TransactionOptions,
};

use super::{Backend, CasOutcome, TxnMode, TxnOptions, TxnSession};
use crate::error::{OpClass, OpError, OpResult};

/// A key the readiness probe reads (it never needs to exist).
const PROBE_KEY: &str = "jepsen-tikv/probe";

pub struct TikvBackend {
    raw: RawClient,
    txn: TransactionClient,
}

impl TikvBackend {
    /// Connects to PD (`endpoints` are "host:port" PD addresses).
    pub async fn connect(endpoints: &[String]) -> Result<Self, String> {
        let raw = RawClient::new(endpoints.to_vec())
            .await
            .map_err(|e| format!("connecting the raw client to PD {endpoints:?}: {e}"))?
            .with_atomic_for_cas();
        let txn = TransactionClient::new(endpoints.to_vec())
            .await
            .map_err(|e| format!("connecting the transaction client to PD {endpoints:?}: {e}"))?;
        Ok(Self { raw, txn })
    }
}

/// True when `e` proves a write or commit was rejected before it could take effect: a
/// prewrite/lock conflict (write conflict, key already exists, deadlock) or a local misuse.
/// Anything else (timeouts, lost connections, region errors, "undetermined") may hide a
/// write that happened.
fn is_refusal(e: &Error) -> bool {
    match e {
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

fn is_refusing_key_error(k: &ProtoKeyError) -> bool {
    k.conflict.is_some() || k.already_exist.is_some() || k.deadlock.is_some()
}

fn fail<'a>(class: OpClass, what: &'a str, key: &'a str) -> impl FnOnce(Error) -> OpError + 'a {
    move |e| OpError::classify(class, is_refusal(&e), format!("tikv {what} {key:?}: {e}"))
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
        let base = match options.mode {
            TxnMode::Optimistic => TransactionOptions::new_optimistic(),
            TxnMode::Pessimistic => TransactionOptions::new_pessimistic(),
        };
        // A session dropped without commit/rollback (cancelled call, idle reaper) must only
        // warn; its locks expire with their TTL.
        let txn = self.txn.begin_with_options(base.drop_check(CheckLevel::Warn)).await.map_err(fail(
            OpClass::Read,
            "begin",
            "",
        ))?;
        Ok(Box::new(TikvTxn { txn, lock_reads: options.lock_reads, written: HashMap::new() }))
    }
}

struct TikvTxn {
    txn: Transaction,
    lock_reads: bool,
    /// Own writes: a pessimistic get_for_update reads the latest committed value, not the
    /// transaction's buffer, so read-your-writes is kept here.
    written: HashMap<String, String>,
}

#[async_trait]
impl TxnSession for TikvTxn {
    async fn get(&mut self, key: &str) -> OpResult<Option<Vec<u8>>> {
        if let Some(v) = self.written.get(key) {
            return Ok(Some(v.as_bytes().to_vec()));
        }
        let read = if self.lock_reads {
            self.txn.get_for_update(key.to_owned()).await
        } else {
            self.txn.get(key.to_owned()).await
        };
        read.map_err(fail(OpClass::Read, "txn get", key))
    }

    async fn put(&mut self, key: &str, value: &str) -> OpResult<()> {
        // Buffered (optimistic) or locked (pessimistic): nothing is committed yet.
        self.txn.put(key.to_owned(), value.to_owned()).await.map_err(fail(OpClass::Read, "txn put", key))?;
        self.written.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn commit(&mut self) -> OpResult<()> {
        self.txn.commit().await.map(|_| ()).map_err(fail(OpClass::Write, "commit", ""))
    }

    async fn rollback(&mut self) -> OpResult<()> {
        self.txn.rollback().await.map_err(fail(OpClass::Read, "rollback", ""))
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

    #[test]
    fn failed_reads_are_definite_and_name_the_key() {
        let e = fail(OpClass::Read, "raw get", "k9")(Error::GrpcAPI(tonic::Status::deadline_exceeded("t")));
        assert_eq!(e.kind, ErrorKind::Definite);
        assert!(e.message.contains("raw get \"k9\""), "{}", e.message);
    }
}
