//! etcd backend (etcd-client 0.12, the reference target). Raw ops are single KV calls; CAS is
//! an etcd Txn comparing the value (or create_revision = 0 for "must not exist"). A transaction
//! buffers its writes and remembers the mod_revision of every key it read (0 = absent); Commit
//! is one etcd Txn that puts the writes only if none of those keys changed since it was read.
//! The transaction thus takes effect atomically at the commit's revision, inside the Commit
//! call: strict serializable, whatever the read mode. Its timestamps are revisions: a
//! transaction that wrote committed at the commit Txn's revision R and read the state of R - 1;
//! a read-only one read the state of the revision its (compare-only) commit Txn saw. etcd has no
//! async commit or 1PC, so asking for them is refused. `ReadMode::Serializable` makes raw reads
//! answer from the local member without a quorum, so they may be stale (used to prove the
//! checker catches stale reads). `Calibration::CommitUnvalidated` (test-only) drops the commit's
//! check of what was read, so concurrent read-modify-writes lose updates.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use async_trait::async_trait;
use etcd_client::{
    Client, Compare, CompareOp, ConnectOptions, Error, GetOptions, KvClient, Txn, TxnOp, TxnOpResponse,
};
use tonic::Code;

use super::{Backend, BackendKind, Calibration, CasOutcome, TxnOptions, TxnSession, TxnStamps};
use crate::error::{never_sent, OpClass, OpError, OpResult};

const PROBE_KEY: &str = "jepsen-tikv/probe";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadMode {
    Linearizable,
    Serializable,
}

pub struct EtcdBackend {
    client: Client,
    reads: ReadMode,
    /// Whether a commit checks that what the transaction read is unchanged (always, except
    /// under `Calibration::CommitUnvalidated`).
    validate: bool,
}

impl EtcdBackend {
    /// `endpoints` are client URLs ("http://host:2379"); `calibration` must be an etcd one.
    pub async fn connect(
        endpoints: &[String],
        reads: ReadMode,
        calibration: Option<Calibration>,
    ) -> Result<Self, String> {
        // Keepalives notice a dead or partitioned member instead of waiting on a stale socket.
        let calibration = Calibration::check(BackendKind::Etcd, calibration)?;
        let options = ConnectOptions::new()
            .with_connect_timeout(Duration::from_secs(2))
            .with_keep_alive(Duration::from_secs(2), Duration::from_secs(2))
            .with_keep_alive_while_idle(true);
        let client = Client::connect(endpoints, Some(options))
            .await
            .map_err(|e| format!("connecting to etcd {endpoints:?}: {e}"))?;
        let validate = calibration != Some(Calibration::CommitUnvalidated);
        Ok(Self { client, reads, validate })
    }

    /// A handle for one call: clones share the connection, so calls never wait on each other.
    fn kv(&self) -> KvClient {
        self.client.kv_client()
    }

    fn get_options(&self) -> Option<GetOptions> {
        match self.reads {
            ReadMode::Linearizable => None,
            ReadMode::Serializable => Some(GetOptions::new().with_serializable()),
        }
    }
}

/// True when etcd (or the client, before sending) rejected the request outright, or the
/// request was never sent because its connection could not be made, so a write cannot have
/// been applied. Timeouts, connections lost after sending, "leader changed" and the like are
/// not: the proposal may still commit.
fn is_refusal(e: &Error) -> bool {
    match e {
        Error::InvalidArgs(_) | Error::InvalidUri(_) | Error::InvalidHeaderValue(_) => true,
        Error::TransportError(t) => never_sent(t),
        Error::GRpcStatus(s) => {
            matches!(
                s.code(),
                Code::InvalidArgument
                    | Code::PermissionDenied
                    | Code::Unauthenticated
                    | Code::Unimplemented
                    | Code::ResourceExhausted
            ) || never_sent(s)
        }
        _ => false,
    }
}

fn fail<'a>(class: OpClass, what: &'a str, key: &'a str) -> impl FnOnce(Error) -> OpError + 'a {
    move |e| OpError::classify(class, is_refusal(&e), format!("etcd {what} {key:?}: {e}"))
}

/// Value and mod_revision (0 when absent) of `key`.
async fn read(kv: &mut KvClient, key: &str, options: Option<GetOptions>) -> OpResult<(i64, Option<Vec<u8>>)> {
    let resp = kv.get(key, options).await.map_err(fail(OpClass::Read, "get", key))?;
    Ok(match resp.kvs().first() {
        Some(kv) => (kv.mod_revision(), Some(kv.value().to_vec())),
        None => (0, None),
    })
}

#[async_trait]
impl Backend for EtcdBackend {
    fn name(&self) -> &'static str {
        "etcd"
    }

    async fn probe(&self) -> OpResult<()> {
        read(&mut self.kv(), PROBE_KEY, None).await.map(|_| ())
    }

    async fn get(&self, key: &str) -> OpResult<Option<Vec<u8>>> {
        Ok(read(&mut self.kv(), key, self.get_options()).await?.1)
    }

    async fn put(&self, key: &str, value: &str) -> OpResult<()> {
        self.kv().put(key, value, None).await.map(|_| ()).map_err(fail(OpClass::Write, "put", key))
    }

    async fn cas(&self, key: &str, expected: Option<&str>, new: &str) -> OpResult<CasOutcome> {
        let compare = match expected {
            Some(v) => Compare::value(key, CompareOp::Equal, v),
            None => Compare::create_revision(key, CompareOp::Equal, 0),
        };
        let txn = Txn::new()
            .when([compare])
            .and_then([TxnOp::put(key, new, None)])
            .or_else([TxnOp::get(key, None)]);
        let resp = self.kv().txn(txn).await.map_err(fail(OpClass::Write, "cas", key))?;
        if resp.succeeded() {
            return Ok(CasOutcome { succeeded: true, previous: expected.map(|v| v.as_bytes().to_vec()) });
        }
        let previous = resp.op_responses().into_iter().find_map(|op| match op {
            TxnOpResponse::Get(get) => Some(get.kvs().first().map(|kv| kv.value().to_vec())),
            _ => None,
        });
        // The compare failed, so nothing was written; a missing get answer only loses `previous`.
        Ok(CasOutcome { succeeded: false, previous: previous.flatten() })
    }

    async fn delete(&self, key: &str) -> OpResult<()> {
        self.kv().delete(key, None).await.map(|_| ()).map_err(fail(OpClass::Write, "delete", key))
    }

    async fn begin(&self, options: TxnOptions) -> OpResult<Box<dyn TxnSession>> {
        if options.async_commit || options.one_pc {
            return Err(OpError::definite(
                "etcd has no async commit or one-phase commit (TiKV-only transaction options)",
            ));
        }
        Ok(Box::new(EtcdTxn {
            kv: self.kv(),
            get_options: self.get_options(),
            validate: self.validate,
            reads: HashMap::new(),
            writes: BTreeMap::new(),
            stamps: None,
        }))
    }
}

struct EtcdTxn {
    kv: KvClient,
    get_options: Option<GetOptions>,
    /// Compare the read keys' revisions at commit (false only under a calibration).
    validate: bool,
    /// Key -> (mod_revision when read, 0 if absent; value read). Repeated reads reuse it.
    reads: HashMap<String, (i64, Option<Vec<u8>>)>,
    writes: BTreeMap<String, String>,
    /// Set by a successful commit (see `revision_stamps`).
    stamps: Option<TxnStamps>,
}

/// The timestamps of a transaction whose commit Txn succeeded at `revision` (the response
/// header's): it wrote at that revision over the state of the one before, or, read-only, read
/// the state of that revision.
fn revision_stamps(revision: i64, wrote: bool) -> TxnStamps {
    let r = revision.max(0) as u64;
    if wrote {
        TxnStamps { start: r.saturating_sub(1), commit: Some(r), mode: None }
    } else {
        TxnStamps { start: r, commit: None, mode: None }
    }
}

impl EtcdTxn {
    /// The etcd Txn that commits this transaction (None when there is nothing to do).
    fn commit_request(&self) -> Option<Txn> {
        let compared = if self.validate { self.reads.len() } else { 0 };
        if compared == 0 && self.writes.is_empty() {
            return None;
        }
        let compares: Vec<Compare> = self
            .reads
            .iter()
            .take(compared)
            .map(|(key, (rev, _))| Compare::mod_revision(key.as_str(), CompareOp::Equal, *rev))
            .collect();
        let puts: Vec<TxnOp> =
            self.writes.iter().map(|(k, v)| TxnOp::put(k.as_str(), v.as_str(), None)).collect();
        Some(Txn::new().when(compares).and_then(puts))
    }
}

#[async_trait]
impl TxnSession for EtcdTxn {
    async fn get(&mut self, key: &str) -> OpResult<Option<Vec<u8>>> {
        if let Some(v) = self.writes.get(key) {
            return Ok(Some(v.as_bytes().to_vec()));
        }
        if let Some((_, v)) = self.reads.get(key) {
            return Ok(v.clone());
        }
        let (rev, value) = read(&mut self.kv, key, self.get_options.clone()).await?;
        self.reads.insert(key.to_owned(), (rev, value.clone()));
        Ok(value)
    }

    async fn put(&mut self, key: &str, value: &str) -> OpResult<()> {
        self.writes.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn commit(&mut self) -> OpResult<()> {
        let Some(txn) = self.commit_request() else { return Ok(()) };
        let resp = self.kv.txn(txn).await.map_err(fail(OpClass::Write, "commit", ""))?;
        if resp.succeeded() {
            self.stamps = resp.header().map(|h| revision_stamps(h.revision(), !self.writes.is_empty()));
            Ok(())
        } else {
            Err(OpError::definite("etcd commit: conflict, a key the transaction read changed before commit"))
        }
    }

    async fn rollback(&mut self) -> OpResult<()> {
        // Nothing reached etcd: forgetting the buffers is the rollback.
        self.reads.clear();
        self.writes.clear();
        Ok(())
    }

    fn stamps(&self) -> Option<TxnStamps> {
        self.stamps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::TxnMode;
    use crate::error::ErrorKind;
    use tonic::Status;

    fn kind(class: OpClass, e: Error) -> ErrorKind {
        fail(class, "put", "k")(e).kind
    }

    #[test]
    fn lost_or_timed_out_writes_are_indeterminate() {
        for status in [
            Status::deadline_exceeded("etcdserver: request timed out"),
            Status::unavailable("etcdserver: leader changed"),
            Status::unknown("transport is closing"),
            Status::cancelled("context canceled"),
        ] {
            assert_eq!(kind(OpClass::Write, Error::GRpcStatus(status)), ErrorKind::Indeterminate);
        }
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(kind(OpClass::Write, Error::IoError(io)), ErrorKind::Indeterminate);
    }

    #[test]
    fn rejected_writes_are_definite() {
        assert_eq!(
            kind(
                OpClass::Write,
                Error::GRpcStatus(Status::invalid_argument("etcdserver: request is too large"))
            ),
            ErrorKind::Definite
        );
        assert_eq!(
            kind(
                OpClass::Write,
                Error::GRpcStatus(Status::resource_exhausted("etcdserver: too many requests"))
            ),
            ErrorKind::Definite
        );
        assert_eq!(kind(OpClass::Write, Error::InvalidArgs("empty key".into())), ErrorKind::Definite);
    }

    #[test]
    fn revisions_are_the_timestamps() {
        assert_eq!(revision_stamps(42, true), TxnStamps { start: 41, commit: Some(42), mode: None });
        assert_eq!(revision_stamps(42, false), TxnStamps { start: 42, commit: None, mode: None });
    }

    #[test]
    fn failed_reads_are_definite() {
        assert_eq!(kind(OpClass::Read, Error::GRpcStatus(Status::unavailable("down"))), ErrorKind::Definite);
    }

    // Real connections on loopback, one per way a write can fail: the backend must tell a
    // request that never left (no connection) from one that may have reached etcd.

    async fn backend(addr: std::net::SocketAddr) -> EtcdBackend {
        // Connecting is lazy: nothing is dialled until the first call.
        EtcdBackend::connect(&[format!("http://{addr}")], ReadMode::Linearizable, None).await.unwrap()
    }

    #[tokio::test]
    async fn connect_refuses_another_backends_calibration() {
        let e = EtcdBackend::connect(
            &["http://127.0.0.1:1".to_owned()],
            ReadMode::Linearizable,
            Some(Calibration::StaleReads),
        )
        .await
        .err()
        .expect("a tikv calibration must be refused");
        assert!(e.contains("stale-reads is not one of the etcd backend's"), "{e}");
    }

    /// The kinds of a failed put, cas, delete and transaction commit, one after the other.
    async fn write_failures(b: &EtcdBackend) -> Vec<ErrorKind> {
        let mut txn = b
            .begin(TxnOptions {
                mode: TxnMode::Optimistic,
                lock_reads: false,
                async_commit: false,
                one_pc: false,
            })
            .await
            .unwrap();
        txn.put("t", "1").await.unwrap();
        vec![
            b.put("k", "v").await.unwrap_err().kind,
            b.cas("k", Some("v"), "w").await.unwrap_err().kind,
            b.delete("k").await.unwrap_err().kind,
            txn.commit().await.unwrap_err().kind,
        ]
    }

    #[tokio::test]
    async fn writes_whose_connection_is_refused_are_definite() {
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let b = backend(addr).await; // the listener is gone: the port refuses
        assert_eq!(write_failures(&b).await, vec![ErrorKind::Definite; 4]);
        let e = b.get("k").await.unwrap_err();
        assert!(e.message.contains("error trying to connect"), "{}", e.message);
    }

    #[tokio::test]
    async fn a_write_whose_connect_times_out_is_definite() {
        // A listener whose accept queue is full drops new SYNs, like a partitioned node: the
        // connect gives up after the 2 s connect timeout without anything being sent.
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(0).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut fillers = Vec::new();
        while let Ok(s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            fillers.push(s);
            assert!(fillers.len() < 64, "the accept queue never filled");
        }
        let b = backend(addr).await;
        let started = std::time::Instant::now();
        let e = b.put("k", "v").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Definite, "{}", e.message);
        assert!(started.elapsed() >= Duration::from_secs(1), "not a connect timeout: {}", e.message);
    }

    #[tokio::test]
    async fn writes_sent_over_a_connection_that_then_breaks_are_indeterminate() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Accept, read the request (until the client goes quiet), then close the connection.
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let quiet = Duration::from_millis(200);
                while let Ok(Ok(n)) = tokio::time::timeout(quiet, conn.read(&mut buf)).await {
                    if n == 0 {
                        break;
                    }
                }
            }
        });
        assert_eq!(write_failures(&backend(addr).await).await, vec![ErrorKind::Indeterminate; 4]);
    }

    #[tokio::test]
    async fn a_write_left_unanswered_until_keepalive_gives_up_is_indeterminate() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Accept and never answer (a member that stopped after the request arrived).
        tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((conn, _)) = listener.accept().await {
                open.push(conn);
            }
        });
        let e = backend(addr).await.put("k", "v").await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Indeterminate, "{}", e.message);
        assert!(e.message.contains("keep-alive"), "{}", e.message);
    }
}
