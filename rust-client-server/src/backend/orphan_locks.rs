//! Orphaned TiKV locks: a workaround for tikv-client 0.4.0 (tikv/client-rust#543).
//!
//! Prewrites go to each region in parallel, so a transaction can leave a lock on a secondary key
//! whose primary was never written (the primary's prewrite failed under a partition or crash).
//! A reader that meets such a lock asks TiKV for the primary's status and gets `TxnNotFound`;
//! the client should wait for the lock's TTL and then roll the primary back
//! (`rollback_if_not_exist`), but in 0.4.0 that answer arrives as `MultipleKeyErrors` and the
//! escalation is never reached: the key stays unreadable and unwritable for good. On live TiKV
//! this starved the bank workload (a few orphaned accounts failed nearly every transfer for the
//! rest of the run).
//!
//! `TransactionClient::cleanup_locks` does roll back a missing primary (it is the GC path), so a
//! session that meets an orphan waits until it is older than tikv-client's default lock TTL,
//! cleans that key's locks up to the orphan's start_ts and retries the call once. Rolling back a transaction whose
//! primary is not committed never breaks consistency: at worst it aborts a transaction whose
//! primary prewrite was very late, which then fails to commit.

use std::time::Duration;

use tikv_client::transaction::ResolveLocksOptions;
use tikv_client::{Error, Timestamp, TimestampExt, TransactionClient};

/// How long after its start a transaction whose primary TiKV cannot find is taken as abandoned:
/// tikv-client's default lock TTL (3 s, plus the time before its prewrite, which is unknown here).
pub const ORPHAN_AFTER_MS: i64 = 3000;

/// The start_ts of the transaction whose primary lock TiKV could not find, when `e` says so.
pub fn orphan_start_ts(e: &Error) -> Option<u64> {
    match e {
        Error::KeyError(k) => k.txn_not_found.as_ref().map(|t| t.start_ts),
        Error::TxnNotFound(t) => Some(t.start_ts),
        Error::MultipleKeyErrors(es) | Error::ExtractedErrors(es) => es.iter().find_map(orphan_start_ts),
        Error::UndeterminedError(inner) => orphan_start_ts(inner),
        _ => None,
    }
}

/// How long until a lock of the transaction started at `start_ts` is past `ORPHAN_AFTER_MS`.
pub fn wait_until_abandoned(start_ts: u64, now: &Timestamp) -> Duration {
    let age = now.physical - Timestamp::from_version(start_ts).physical;
    Duration::from_millis((ORPHAN_AFTER_MS - age).clamp(0, ORPHAN_AFTER_MS) as u64)
}

/// Rolls back the abandoned transaction `start_ts` (and any older lock) on `keys`, first waiting
/// until it is past `ORPHAN_AFTER_MS` (at most that long, as client-go waits for a lock's TTL).
/// True when a lock was resolved, so the caller may retry.
pub async fn clear(client: &TransactionClient, keys: &[&str], start_ts: u64) -> bool {
    let Ok(now) = client.current_timestamp().await else { return false };
    let wait = wait_until_abandoned(start_ts, &now);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let safepoint = Timestamp::from_version(start_ts);
    let mut resolved = 0;
    for key in keys {
        let range = key.as_bytes().to_vec()..=key.as_bytes().to_vec();
        match client.cleanup_locks(range, &safepoint, ResolveLocksOptions::default()).await {
            Ok(r) => resolved += r.resolved_locks,
            Err(e) => log::warn!("cleaning orphaned locks of txn {start_ts} on {key:?}: {e}"),
        }
    }
    if resolved > 0 {
        log::info!("orphaned lock: rolled back txn {start_ts} (primary never written) on {keys:?}");
    }
    resolved > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use tikv_client::ProtoKeyError;

    fn txn_not_found(start_ts: u64) -> Error {
        let mut k = ProtoKeyError::default();
        k.txn_not_found.get_or_insert_with(Default::default).start_ts = start_ts;
        Error::KeyError(Box::new(k))
    }

    #[test]
    fn finds_the_orphan_in_every_shape_tikv_client_reports() {
        // As tikv-client 0.4.0 delivers it from CheckTxnStatus (the shape of tikv/client-rust#543).
        assert_eq!(orphan_start_ts(&Error::MultipleKeyErrors(vec![txn_not_found(7)])), Some(7));
        assert_eq!(orphan_start_ts(&Error::ExtractedErrors(vec![txn_not_found(8)])), Some(8));
        assert_eq!(orphan_start_ts(&txn_not_found(9)), Some(9));
        assert_eq!(orphan_start_ts(&Error::UndeterminedError(Box::new(txn_not_found(10)))), Some(10));
        let conflict = {
            let mut k = ProtoKeyError::default();
            k.conflict = Some(Default::default());
            Error::KeyError(Box::new(k))
        };
        assert_eq!(orphan_start_ts(&conflict), None);
        assert_eq!(orphan_start_ts(&Error::MultipleKeyErrors(vec![conflict, txn_not_found(11)])), Some(11));
        assert_eq!(orphan_start_ts(&Error::StringError("x".into())), None);
    }

    #[test]
    fn an_orphan_is_abandoned_once_the_default_lock_ttl_has_passed() {
        let at = |ms: i64| Timestamp { physical: ms, logical: 0, ..Default::default() };
        let start = at(1_000_000).version();
        let abandoned = |start_ts: u64, now: i64| wait_until_abandoned(start_ts, &at(now)).is_zero();
        assert!(!abandoned(start, 1_000_000));
        assert!(!abandoned(start, 1_000_000 + ORPHAN_AFTER_MS - 1));
        assert!(abandoned(start, 1_000_000 + ORPHAN_AFTER_MS));
        assert!(abandoned(start | 5, 1_000_000 + 60_000), "logical bits do not matter");
        assert_eq!(wait_until_abandoned(start, &at(1_000_000 + 1_000)), Duration::from_millis(2_000));
        assert_eq!(wait_until_abandoned(start, &at(1_000_000 + 60_000)), Duration::ZERO);
        // A start_ts from a clock ahead of this one: never longer than the TTL.
        assert_eq!(wait_until_abandoned(start, &at(1_000_000 - 5_000)), Duration::from_millis(3_000));
    }
}
