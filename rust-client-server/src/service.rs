//! The gRPC service (proto `jepsen.tikv.v1.Kv`): validates requests, calls the backend, and
//! puts every failure into the response's `error` with its kind. Handlers never return a gRPC
//! error status themselves, so a status on the client side always means transport trouble.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tonic::{Request, Response, Status};

use crate::backend::{Backend, CommitMode, TxnMode, TxnOptions, TxnStamps};
use crate::encoding::utf8_opt;
use crate::error::{OpError, OpResult};
use crate::pb::{self, kv_server::Kv};
use crate::txn::{run_txn, TxnRegistry};

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The backend once connected (connection is retried in the background), with the latest
/// connection problem for Health to report until then.
pub struct BackendSlot {
    name: &'static str,
    backend: OnceLock<Arc<dyn Backend>>,
    status: Mutex<String>,
}

impl BackendSlot {
    pub fn new(name: &'static str) -> Self {
        Self { name, backend: OnceLock::new(), status: Mutex::new(format!("connecting to {name}")) }
    }

    pub fn set(&self, backend: Arc<dyn Backend>) {
        let _ = self.backend.set(backend);
    }

    pub fn set_status(&self, status: String) {
        *self.status.lock().unwrap_or_else(|p| p.into_inner()) = status;
    }

    fn get(&self) -> OpResult<Arc<dyn Backend>> {
        self.backend.get().cloned().ok_or_else(|| {
            let status = self.status.lock().unwrap_or_else(|p| p.into_inner()).clone();
            OpError::definite(format!("{} backend not connected yet: {status}", self.name))
        })
    }
}

pub struct KvService {
    slot: Arc<BackendSlot>,
    txns: Arc<TxnRegistry>,
}

impl KvService {
    pub fn new(slot: Arc<BackendSlot>, txns: Arc<TxnRegistry>) -> Self {
        Self { slot, txns }
    }
}

/// A response type with an `error` field: how a failed op is answered.
trait Failable: Default {
    fn failed(error: pb::Error) -> Self;
}

macro_rules! failable {
    ($($t:ty),* $(,)?) => {$(
        impl Failable for $t {
            #[allow(clippy::needless_update)] // some responses have no field but `error`
            fn failed(error: pb::Error) -> Self {
                Self { error: Some(error), ..Default::default() }
            }
        }
    )*};
}

failable!(
    pb::GetResponse,
    pb::PutResponse,
    pb::CasResponse,
    pb::DeleteResponse,
    pb::BeginResponse,
    pb::TxnGetResponse,
    pb::TxnPutResponse,
    pb::CommitResponse,
    pb::RollbackResponse,
    pb::TxnResponse,
);

#[allow(clippy::result_large_err)] // tonic's handler signature
fn reply<R: Failable>(method: &str, result: OpResult<R>) -> Result<Response<R>, Status> {
    Ok(Response::new(result.unwrap_or_else(|e| {
        log::info!("{method}: {e}");
        R::failed(e.into())
    })))
}

fn check_key(key: &str) -> OpResult<()> {
    if key.is_empty() {
        return Err(OpError::definite("key must not be empty"));
    }
    Ok(())
}

fn txn_options(options: Option<pb::TxnOptions>) -> OpResult<TxnOptions> {
    let options = options.unwrap_or_default();
    let mode = match pb::TxnMode::try_from(options.mode) {
        Ok(pb::TxnMode::Unspecified | pb::TxnMode::Optimistic) => TxnMode::Optimistic,
        Ok(pb::TxnMode::Pessimistic) => TxnMode::Pessimistic,
        Err(_) => {
            return Err(OpError::definite(format!(
                "txn mode {}: allowed values are TXN_MODE_OPTIMISTIC (1), TXN_MODE_PESSIMISTIC (2)",
                options.mode
            )))
        }
    };
    Ok(TxnOptions {
        mode,
        lock_reads: options.lock_reads,
        async_commit: options.async_commit,
        one_pc: options.one_pc,
    })
}

impl From<TxnStamps> for pb::TxnTimestamps {
    fn from(s: TxnStamps) -> Self {
        let mode = match s.mode {
            None => pb::CommitMode::Unspecified,
            Some(CommitMode::TwoPc) => pb::CommitMode::TwoPc,
            Some(CommitMode::AsyncCommit) => pb::CommitMode::AsyncCommit,
            Some(CommitMode::OnePc) => pb::CommitMode::OnePc,
        };
        pb::TxnTimestamps { start: s.start, commit: s.commit.unwrap_or(0), mode: mode as i32 }
    }
}

#[tonic::async_trait]
impl Kv for KvService {
    async fn health(&self, _: Request<pb::HealthRequest>) -> Result<Response<pb::HealthResponse>, Status> {
        let (ready, message) = match self.slot.get() {
            Err(e) => (false, e.message),
            Ok(backend) => match tokio::time::timeout(PROBE_TIMEOUT, backend.probe()).await {
                Ok(Ok(())) => (true, String::new()),
                Ok(Err(e)) => (false, e.message),
                Err(_) => {
                    (false, format!("{} did not answer a read within {PROBE_TIMEOUT:?}", self.slot.name))
                }
            },
        };
        Ok(Response::new(pb::HealthResponse { ready, backend: self.slot.name.to_owned(), message }))
    }

    async fn get(&self, req: Request<pb::GetRequest>) -> Result<Response<pb::GetResponse>, Status> {
        let req = req.into_inner();
        let result = async {
            check_key(&req.key)?;
            let value = utf8_opt(&req.key, self.slot.get()?.get(&req.key).await?)?;
            Ok(pb::GetResponse { value, error: None })
        };
        reply("Get", result.await)
    }

    async fn put(&self, req: Request<pb::PutRequest>) -> Result<Response<pb::PutResponse>, Status> {
        let req = req.into_inner();
        let result = async {
            check_key(&req.key)?;
            self.slot.get()?.put(&req.key, &req.value).await?;
            Ok(pb::PutResponse::default())
        };
        reply("Put", result.await)
    }

    async fn cas(&self, req: Request<pb::CasRequest>) -> Result<Response<pb::CasResponse>, Status> {
        let req = req.into_inner();
        let result = async {
            check_key(&req.key)?;
            let outcome = self.slot.get()?.cas(&req.key, req.expected.as_deref(), &req.new_value).await?;
            // The swap is done; a non-UTF-8 previous value cannot make it a failure.
            let previous = utf8_opt(&req.key, outcome.previous).unwrap_or_else(|e| {
                log::warn!("Cas: previous value of {:?}: {}", req.key, e.message);
                None
            });
            Ok(pb::CasResponse { succeeded: outcome.succeeded, previous, error: None })
        };
        reply("Cas", result.await)
    }

    async fn delete(&self, req: Request<pb::DeleteRequest>) -> Result<Response<pb::DeleteResponse>, Status> {
        let req = req.into_inner();
        let result = async {
            check_key(&req.key)?;
            self.slot.get()?.delete(&req.key).await?;
            Ok(pb::DeleteResponse::default())
        };
        reply("Delete", result.await)
    }

    async fn begin(&self, req: Request<pb::BeginRequest>) -> Result<Response<pb::BeginResponse>, Status> {
        let req = req.into_inner();
        let result = async {
            let options = txn_options(req.options)?;
            let session = self.slot.get()?.begin(options).await?;
            let start_ts = session.stamps().map_or(0, |s| s.start);
            Ok(pb::BeginResponse { txn_id: self.txns.insert(session), start_ts, error: None })
        };
        reply("Begin", result.await)
    }

    async fn txn_get(&self, req: Request<pb::TxnGetRequest>) -> Result<Response<pb::TxnGetResponse>, Status> {
        let req = req.into_inner();
        let result = async {
            check_key(&req.key)?;
            let entry = self.txns.get(req.txn_id)?;
            let value = entry.session().await.get(&req.key).await?;
            Ok(pb::TxnGetResponse { value: utf8_opt(&req.key, value)?, error: None })
        };
        reply("TxnGet", result.await)
    }

    async fn txn_put(&self, req: Request<pb::TxnPutRequest>) -> Result<Response<pb::TxnPutResponse>, Status> {
        let req = req.into_inner();
        let result = async {
            check_key(&req.key)?;
            let entry = self.txns.get(req.txn_id)?;
            entry.session().await.put(&req.key, &req.value).await?;
            Ok(pb::TxnPutResponse::default())
        };
        reply("TxnPut", result.await)
    }

    async fn commit(&self, req: Request<pb::CommitRequest>) -> Result<Response<pb::CommitResponse>, Status> {
        let id = req.into_inner().txn_id;
        let (result, stamps) = match self.txns.remove(id) {
            Err(e) => (Err(e), None),
            Ok(entry) => {
                let mut session = entry.session().await;
                (session.commit().await, session.stamps())
            }
        };
        let mut response = reply("Commit", result.map(|()| pb::CommitResponse::default()))?;
        response.get_mut().ts = stamps.map(Into::into);
        Ok(response)
    }

    async fn rollback(
        &self,
        req: Request<pb::RollbackRequest>,
    ) -> Result<Response<pb::RollbackResponse>, Status> {
        let id = req.into_inner().txn_id;
        let result = async {
            let entry = self.txns.remove(id)?;
            entry.session().await.rollback().await?;
            Ok(pb::RollbackResponse::default())
        };
        reply("Rollback", result.await)
    }

    async fn txn(&self, req: Request<pb::TxnRequest>) -> Result<Response<pb::TxnResponse>, Status> {
        let req = req.into_inner();
        let (result, stamps) = match txn_options(req.options).and_then(|o| Ok((o, self.slot.get()?))) {
            Err(e) => (Err(e), None),
            Ok((options, backend)) => run_txn(backend.as_ref(), options, &req.ops).await,
        };
        let mut response =
            reply("Txn", result.map(|results| pb::TxnResponse { results, ..Default::default() }))?;
        response.get_mut().ts = stamps.map(Into::into);
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_options_are_read_from_the_request() {
        let o = txn_options(Some(pb::TxnOptions {
            mode: pb::TxnMode::Pessimistic as i32,
            lock_reads: true,
            async_commit: true,
            one_pc: false,
        }))
        .unwrap();
        assert_eq!(
            o,
            TxnOptions { mode: TxnMode::Pessimistic, lock_reads: true, async_commit: true, one_pc: false }
        );
        assert!(txn_options(Some(pb::TxnOptions { one_pc: true, ..Default::default() })).unwrap().one_pc);
    }

    #[test]
    fn timestamps_travel_with_zero_for_unknown() {
        let ts: pb::TxnTimestamps =
            TxnStamps { start: 5, commit: Some(9), mode: Some(CommitMode::AsyncCommit) }.into();
        assert_eq!((ts.start, ts.commit, ts.mode), (5, 9, pb::CommitMode::AsyncCommit as i32));
        let ts: pb::TxnTimestamps = TxnStamps { start: 5, commit: None, mode: None }.into();
        assert_eq!((ts.commit, ts.mode), (0, pb::CommitMode::Unspecified as i32));
        let one_pc: pb::TxnTimestamps =
            TxnStamps { mode: Some(CommitMode::OnePc), ..Default::default() }.into();
        assert_eq!(one_pc.mode, pb::CommitMode::OnePc as i32);
    }
}
